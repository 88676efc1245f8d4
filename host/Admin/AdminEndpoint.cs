using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Cop.Host.Composition;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cop.Host.Admin;

/// <summary>
/// A node's admin endpoint, the Petabridge.Cmd host substitute: plain HTTP/JSON on its own
/// Kestrel listener (cop.admin.urls, loopback by default).
///   GET  /pbm/palettes           -> {"palettes": ["actor hierarchy [-s <path>] [-d <depth>]", ...]}
///   POST /pbm  {"command": "..."} -> {"ok": true|false, "output": "..."} (200, or 400 when not ok)
/// With a token configured every request needs "Authorization: Bearer TOKEN" (401 otherwise).
/// </summary>
public sealed class AdminEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminEndpoint(WebApplication app, IReadOnlyList<string> urls) { _app = app; Urls = urls; }

    /// <summary>Where it listens (with the real port when the configured one was 0).</summary>
    public IReadOnlyList<string> Urls { get; }

    public sealed record CommandRequest(string Command);
    public sealed record CommandResponse(bool Ok, string Output);
    public sealed record PaletteResponse(IReadOnlyList<string> Palettes);

    public static async Task<AdminEndpoint> StartAsync(Func<ActorSystem> system, CopRuntime? runtime, AdminSettings settings, Config hocon, CancellationToken ct = default)
    {
        settings.Check();
        var quiet = hocon.GetTimeSpan("cop.admin.identify-quiet", TimeSpan.FromMilliseconds(300), allowInfinite: false);
        var ask = hocon.GetTimeSpan("cop.admin.ask-timeout", TimeSpan.FromSeconds(5), allowInfinite: false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(settings.Urls);
        var app = builder.Build();
        var token = Encoding.UTF8.GetBytes(settings.Token);
        app.Use(async (context, next) =>
        {
            if (token.Length > 0)
            {
                var given = context.Request.Headers.Authorization.ToString();
                var bytes = Encoding.UTF8.GetBytes(given.StartsWith("Bearer ", StringComparison.Ordinal) ? given[7..] : "");
                if (!CryptographicOperations.FixedTimeEquals(bytes, token))
                {
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsJsonAsync(new CommandResponse(false, "this admin endpoint needs its token (cop pbm --token, COP_ADMIN_TOKEN)"));
                    return;
                }
            }
            await next(context);
        });
        AdminCommands? commands = null;
        AdminCommands Commands() => commands ??= new AdminCommands(system(), runtime, quiet, ask);
        app.MapGet("/pbm/palettes", () => new PaletteResponse(AdminCommands.Palettes));
        app.MapPost("/pbm", async (CommandRequest request) =>
        {
            var (ok, output) = await Commands().ExecuteAsync(request.Command ?? "");
            return Results.Json(new CommandResponse(ok, output), statusCode: ok ? 200 : 400);
        });
        try { await app.StartAsync(ct); }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new ConfigurationException($"cop.admin.urls = '{settings.Urls}': cannot listen: {e.Message} (another cop? choose a free port)");
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [settings.Urls];
        return new AdminEndpoint(app, bound);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The admin endpoint as a service of `cop run`'s host: started with it, stopped with it.</summary>
public sealed class AdminService(IServiceProvider services, CopRuntime runtime, AdminSettings settings, Config hocon) : IHostedService
{
    private AdminEndpoint? _endpoint;

    public async Task StartAsync(CancellationToken ct)
    {
        _endpoint = await AdminEndpoint.StartAsync(() => services.GetRequiredService<ActorSystem>(), runtime, settings, hocon, ct);
        Serilog.Log.Information("Admin endpoint (cop pbm) on {Urls}", string.Join(", ", _endpoint.Urls));
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_endpoint is not null) await _endpoint.DisposeAsync();
    }
}
