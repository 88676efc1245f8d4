using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Features;
using Cop.Actors.Heartbeat;
using Cop.Actors.Macro;
using Cop.Actors.Models;
using Cop.Actors.Telemetry;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
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
        await using var services = await BackingServices.StartAsync(settings);
        var cs = services.ConnectionString;
        var msLog = new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger).CreateLogger("Cop.Notify");

        IActorRef? monitor = null;
        void Echo(string listener, string payload) => monitor?.Tell(new HeartbeatMonitor.Echo(listener, payload));
        await using var pooled = NpgsqlDataSource.Create(ConnectionStrings.Pooled(cs, "cop-service"));   // heartbeat, macro, quarantine
        await using var barStore = new BarStore(cs);
        using var http = new HttpClient();
        var redis = await services.RedisAsync(settings);
        var online = redis is null ? null : new OnlineFeatureStore(redis);
        var recent = new RecentFeatureRows();   // the feature writer and the models share this process
        FeatureWiring? wiring = null;
        TradingWiring? trading = null;

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(settings.HttpUrls);
        builder.Host.UseSerilog();
        builder.Services.AddAkka("cop", (akka, _) =>
        {
            akka.AddHocon(FeatureWiring.ActorSystemConfig(settings, cs), HoconAddMode.Prepend)
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
                        settings.HeartbeatInterval, [$"cop-listen-{RowChannels.Bars.Name}", $"cop-listen-{RowChannels.Features.Name}"]), "notify-heartbeat");
                    registry.Register<HeartbeatMonitor>(monitor);

                    wiring = FeatureWiring.StartAsync(system, settings, cs, msLog, Echo, online: online, recent: recent).GetAwaiter().GetResult();
                    registry.Register<BarSeriesSupervisor>(wiring.BarSeries);
                    registry.Register<MacroIngestion>(MacroWiring.Start(system, settings, new MacroStore(pooled), http));

                    var mat = system.Materializer();
                    if (settings.TwelveData.ApiKey.Length > 0)
                    {
                        var ingester = new BarIngester(barStore, new QuarantineStore(pooled), settings.Validation, "twelvedata");
                        TwelveDataPolling.Create(new TwelveDataClient(http, settings.TwelveData), ingester, settings.TwelveData, msLog)
                            .RunWith(Sink.Ignore<IngestReport>(), mat);
                    }
                    else Log.Information("No TwelveData API key (COP_TWELVEDATA_API_KEY): bars come from `cop ingest` or other writers");
                    trading = TradingWiring.StartAsync(system, settings, cs, msLog, Echo, online: online, recent: recent).GetAwaiter().GetResult();
                    registry.Register<DeployedModelSupervisor>(trading.Models);
                    // On stop, the graphs end while the actors they talk to still run (afterwards a
                    // graph of a terminated system never completes); what was in flight past the
                    // watermark is delivered again at the next start.
                    CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "stop-event-graphs", async () =>
                    {
                        await trading.DisposeAsync();
                        await wiring.DisposeAsync();
                        return Akka.Done.Instance;
                    });
                    if (online is not null)
                    {
                        // Checked every minute; runs on the quarter hours of the session and at 07:00 Bogota.
                        var reader = new FeatureReader(pooled);
                        system.Scheduler.Advanced.ScheduleRepeatedly(TimeSpan.FromSeconds(60 - DateTime.UtcNow.Second), TimeSpan.FromMinutes(1), () =>
                        {
                            var now = DateTime.UtcNow;
                            if (!OnlineFeatureStore.MaterializationDue(now)) return;
                            online.MaterializeAsync(reader, now.AddHours(-24)).ContinueWith(t =>
                                Log.Information("online store materialised: {Result}", t.IsCompletedSuccessfully ? $"{t.Result} rows" : t.Exception?.GetBaseException().Message));
                        });
                    }
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
                    [RowChannels.Bars.Name] = wiring?.Bars.Context.Breaker.State.ToString() ?? "starting",
                    [RowChannels.Features.Name] = trading?.Features.Context.Breaker.State.ToString() ?? "starting",
                },
                // A bar not decided yet: asked again with back-off, later bars wait for it.
                decisions = trading?.Retrying.Current is { } r
                    ? new { retrying = $"{r.Symbol} {r.Bar:O}", failed = r.Failed, attempt = r.Attempt, since = r.Since, next_in_seconds = r.NextIn.TotalSeconds }
                    : null,
            }, statusCode: health.Healthy ? 200 : 503);
        });
        Log.Information("Cop is running: {Database}; metrics and health on {Urls}", services.Describe, settings.HttpUrls);
        ct.Register(() => Log.Information("Stop requested: draining"));
        await app.RunAsync(ct);
        if (trading is not null) await trading.DisposeAsync();   // no-ops unless the actor system never started them
        if (wiring is not null) await wiring.DisposeAsync();
        Log.Information("Stopped; stopping the servers Cop started");
        return 0;
    }
}
