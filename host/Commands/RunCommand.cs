using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Heartbeat;
using Cop.Actors.Telemetry;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Streams.Notifications;
using Npgsql;
using Prometheus;
using Serilog;

namespace Cop.Host.Commands;

/// <summary>
/// `cop run`: the long-running service. Migrates, then keeps the event backbone up (bar and
/// feature sources with their watermarks, the heartbeat), with /metrics and /health on HTTP.
/// Later stages (features, models, trading) attach to the same sources.
/// </summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(CopSettings settings, CancellationToken ct)
    {
        await using var services = await BackingServices.StartAsync(settings);
        var cs = services.ConnectionString;
        var msLog = new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger).CreateLogger("Cop.Notify");

        IActorRef? monitor = null;
        void Echo(string listener, string payload) => monitor?.Tell(new HeartbeatMonitor.Echo(listener, payload));
        await using var bars = await EventConsumer<BarInserted>.CreateAsync(RowChannels.Bars, cs, "bar-monitor", settings.Notify, msLog, Echo);
        await using var features = await EventConsumer<FeaturesWritten>.CreateAsync(RowChannels.Features, cs, "feature-monitor", settings.Notify, msLog, Echo);
        await using var pooled = NpgsqlDataSource.Create(cs);

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(settings.HttpUrls);
        builder.Host.UseSerilog();
        builder.Services.AddAkka("cop", (akka, _) =>
        {
            akka.AddHocon(settings.Hocon, HoconAddMode.Prepend)
                .ConfigureLoggers(l => { l.ClearLoggers(); l.AddLogger<SerilogLogger>(); })
                .WithActors((system, registry) =>
                {
                    monitor = system.ActorOf(HeartbeatMonitor.Props(
                        async payload =>
                        {
                            await using var cmd = pooled.CreateCommand("SELECT pg_notify('system_heartbeat', @p)");
                            cmd.Parameters.AddWithValue("p", payload);
                            await cmd.ExecuteNonQueryAsync();
                        },
                        settings.HeartbeatInterval, [bars.ListenerName, features.ListenerName]), "notify-heartbeat");
                    registry.Register<HeartbeatMonitor>(monitor);

                    var mat = system.Materializer();
                    bars.Source()
                        .Select(e => { CopMetrics.LastOhlcvBarTimestamp.Set(new DateTimeOffset(e.Time).ToUnixTimeSeconds()); return e; })
                        .Via(bars.CommitWatermarks())
                        .RunWith(Sink.Ignore<BarInserted>(), mat);
                    features.Source()
                        .Select(e => { CopMetrics.LastFeatureTimestamp.Set(new DateTimeOffset(e.Time).ToUnixTimeSeconds()); return e; })
                        .Via(features.CommitWatermarks())
                        .RunWith(Sink.Ignore<FeaturesWritten>(), mat);
                });
        });

        var app = builder.Build();
        app.MapMetrics("/metrics");
        app.MapGet("/health", async (IRequiredActor<HeartbeatMonitor> hb) =>
        {
            var health = await hb.ActorRef.Ask<HeartbeatMonitor.NotifyHealth>(new HeartbeatMonitor.GetHealth(), TimeSpan.FromSeconds(3));
            return Results.Json(new
            {
                status = health.Healthy ? "healthy" : "degraded",
                database = services.Describe,
                listeners = health.Listeners,
                circuits = new Dictionary<string, string>
                {
                    [bars.Channel.Name] = bars.Context.Breaker.State.ToString(),
                    [features.Channel.Name] = features.Context.Breaker.State.ToString(),
                },
            }, statusCode: health.Healthy ? 200 : 503);
        });
        Log.Information("Cop is running: {Database}; metrics and health on {Urls}", services.Describe, settings.HttpUrls);
        await app.RunAsync(ct);
        return 0;
    }
}
