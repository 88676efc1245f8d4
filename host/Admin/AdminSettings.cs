using System.Net;
using Akka.Configuration;

namespace Cop.Host.Admin;

/// <summary>The node's admin endpoint (hocon: cop.admin; COP_ADMIN_URLS, COP_ADMIN_TOKEN override):
/// where it listens (loopback by default, pbm's port 9110) and the bearer token it asks for. A
/// token is required as soon as one URL is not loopback: killing actors is not for the network at large.</summary>
public sealed record AdminSettings(string Urls, string Token)
{
    public static AdminSettings From(Config c)
    {
        var urls = Environment.GetEnvironmentVariable("COP_ADMIN_URLS") is { Length: > 0 } u ? u : c.GetString("cop.admin.urls", "http://127.0.0.1:9110");
        var token = Environment.GetEnvironmentVariable("COP_ADMIN_TOKEN") is { Length: > 0 } t ? t : c.GetString("cop.admin.token", "");
        var settings = new AdminSettings(urls, token.Trim());
        settings.Check();
        return settings;
    }

    public IReadOnlyList<Uri> Endpoints => [.. Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(url =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "http" && uri.Host.Length > 0 && uri.PathAndQuery is "/" or ""
            ? uri : throw new ConfigurationException($"cop.admin.urls (COP_ADMIN_URLS) = '{url}' is not an http URL with a host and port, e.g. http://127.0.0.1:9110"))];

    public void Check()
    {
        var endpoints = Endpoints;
        if (endpoints.Count == 0) throw new ConfigurationException("cop.admin.urls (COP_ADMIN_URLS) is empty: give e.g. http://127.0.0.1:9110");
        var exposed = endpoints.Where(e => !IsLoopback(e.Host)).ToList();
        if (exposed.Count > 0 && Token.Length == 0)
            throw new ConfigurationException($"cop.admin.urls binds {exposed[0].Host}, which is not loopback: set cop.admin.token (COP_ADMIN_TOKEN), or bind 127.0.0.1");
    }

    private static bool IsLoopback(string host) => host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
