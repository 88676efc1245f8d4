using Akka.Actor;
using Akka.Hosting;
using Cop.Actors.Heartbeat;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Host.Web;
using Cop.Host.Operations;
using Cop.Persistence.Stores;
using Cop.Streams.Notifications;
using Npgsql;
using Prometheus;
using Serilog;

namespace Cop.Host.Commands;

/// <summary>
/// `cop run`: the long-running service. Migrates, then keeps up the feature path (new bars ->
/// BarSeries actors -> feature store), the macro tree (MacroVariable actors on the catalogue's
/// schedule), new features -> every deployed model -> decisions and paper trades (with the
/// dead-letter retrier), the heartbeat, the TwelveData poller (when an API key is configured), with
/// /metrics and /health on HTTP.
/// </summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(CopSettings settings, CancellationToken ct)
    {
        ConsoleLog.Apply(settings.Hocon);   // cop.log: text or JSON lines, the level
        CheckHttpUrls(settings.HttpUrls);   // before PostgreSQL, LISTEN and the models start
        await using var services = await BackingServices.StartAsync(settings);
        var log = new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger).CreateLogger("Cop");
        await using var runtime = new CopRuntime(PgBouncer.Route(CopEnvironment.Service(settings, services.ConnectionString, await services.RedisAsync(settings), log)));

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(settings.HttpUrls);
        builder.Host.UseSerilog();
        builder.Services.AddAkka("cop", (akka, _) => akka.AddCop(runtime));
        builder.Services.AddCopWeb(settings, runtime);   // the promotion web UI and /api (host/Web)

        var app = builder.Build();
        app.MapCopWeb();
        app.MapMetrics("/metrics");
        app.MapCopHealth(runtime, services.Describe);   // host/Operations: JSON per component, 503 only when unhealthy
        Log.Information("Cop is running: {Database}; metrics and health on {Urls}", services.Describe, settings.HttpUrls);
        ct.Register(() => Log.Information("Stop requested: draining"));
        await app.RunAsync(ct);
        await runtime.StopGraphsAsync();   // a no-op unless the actor system never started them
        Log.Information("Stopped; stopping the servers Cop started");
        return 0;
    }

    private const string HttpSetting = "cop.http.urls (COP_HTTP_URLS)";

    /// <summary>What Kestrel would only find out after everything else started (and then end with a
    /// stack): each URL must be http(s) with a host and a port, and each port free. The port is
    /// probed by binding it for a moment; a race with another process in between still fails later.</summary>
    public static void CheckHttpUrls(string urls)
    {
        var entries = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0) throw new Akka.Configuration.ConfigurationException($"{HttpSetting} is empty: give e.g. http://127.0.0.1:9464");
        foreach (var url in entries)
        {
            // Kestrel's wildcard hosts are not URI hosts.
            var parsable = System.Text.RegularExpressions.Regex.Replace(url, @"^(\w+://)[*+](?=[:/]|$)", "${1}0.0.0.0");
            if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0
                || uri.PathAndQuery is not ("/" or ""))
                throw new Akka.Configuration.ConfigurationException($"{HttpSetting} = '{url}' is not an http(s) URL with a host and port, e.g. http://127.0.0.1:9464");
            if (uri.Port == 0) continue;   // any free port
            var address = uri.Host == "localhost" ? System.Net.IPAddress.Loopback
                : System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : System.Net.IPAddress.Any;
            var probe = new System.Net.Sockets.TcpListener(address, uri.Port);
            try { probe.Start(); }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new Akka.Configuration.ConfigurationException(
                    $"{HttpSetting} = '{url}': cannot listen on {address}:{uri.Port}: {e.Message} (another cop run? choose a free port)");
            }
            finally { probe.Stop(); }
        }
    }
}

/// <summary>The macro part of /health: one line per stale series (last accepted date, values
/// waiting, the newest reason). An unreachable database is reported, not thrown.</summary>
public static class MacroHealth
{
    public static async Task<IReadOnlyList<string>> StaleAsync(NpgsqlDataSource db, IReadOnlyList<Cop.Trading.Macro.MacroVariableSpec> catalogue)
    {
        try
        {
            return [.. (await new MacroStore(db).StaleAsync(catalogue)).Select(s =>
                $"{s.Variable}: last accepted {s.LastAccepted?.ToString("yyyy-MM-dd") ?? "never"}, {s.Waiting} waiting since {s.WaitingSince:yyyy-MM-dd} ({s.Reason})")];
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return [$"macro status unavailable: {e.Message}"];
        }
    }
}
