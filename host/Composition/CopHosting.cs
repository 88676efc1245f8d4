using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Features;
using Cop.Actors.Heartbeat;
using Cop.Actors.Jobs;
using Cop.Actors.Macro;
using Cop.Actors.Models;
using Cop.Actors.Serialization;
using Cop.Host.Infrastructure;
using Cop.Host.Operations;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Streams.Notifications;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cop.Host.Composition;

/// <summary>
/// The one composition root: `cop run`, `cop demo`, the benchmarks and the tests all start Cop
/// through <see cref="AddCop"/>. One Akka.Hosting extension per actor family, started in order
/// (each waits for the previous: the heartbeat monitor exists before the LISTEN connections echo
/// to it, the feature writer before the models read from it).
/// </summary>
public static class CopHosting
{
    public static AkkaConfigurationBuilder AddCop(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        !runtime.Environment.ActorFamilies ? akka.AddCopSystem(runtime.Environment) : akka
        .AddCopSystem(runtime.Environment)
        // First, so a family that fails to start still has the graphs started before it stopped:
        // the graphs end while the actors they talk to still run (afterwards a graph of a
        // terminated system never completes); what was in flight past the watermark is delivered
        // again at the next start. Parts that never started are skipped.
        .WithActors((system, _) =>
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "stop-event-graphs", async () =>
            {
                await runtime.StopGraphsAsync();
                return Akka.Done.Instance;
            }))
        .AddHeartbeat(runtime)
        .AddBarSeries(runtime)
        .AddMacroTree(runtime)
        .AddBarPolling(runtime)
        .AddDeployedModels(runtime)
        .AddOnlineStoreMaterialisation(runtime)
        .AddOperations(runtime);

    /// <summary>cop.conf, the journal and snapshot store on Cop's database, the message serializer, Serilog.</summary>
    public static AkkaConfigurationBuilder AddCopSystem(this AkkaConfigurationBuilder akka, CopEnvironment env)
    {
        akka.AddHocon(env.Settings.Hocon, HoconAddMode.Prepend)
            .AddSetup(CopSerializer.Setup())
            .ConfigureLoggers(l => { l.ClearLoggers(); l.AddLogger<SerilogLogger>(); });
        return env.InMemoryJournal
            ? akka.WithInMemoryJournal().WithInMemorySnapshotStore()
            : akka.WithSqlPersistence(new NpgsqlConnectionStringBuilder(env.ConnectionString) { ApplicationName = "cop-journal" }.ConnectionString,
                LinqToDB.ProviderName.PostgreSQL15, autoInitialize: true);
    }

    /// <summary>The NOTIFY heartbeat: pg_notify on a timer, echoed back by every LISTEN connection.</summary>
    public static AkkaConfigurationBuilder AddHeartbeat(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        akka.WithActors((system, registry) =>
        {
            var publisher = new HeartbeatPublisher(runtime.Pooled);
            runtime.Heartbeat = system.ActorOf(HeartbeatMonitor.Props(publisher.PublishAsync, runtime.Environment.Settings.HeartbeatInterval,
                runtime.Environment.Settings.Notify.PollOnly ? [] : [$"cop-listen-{RowChannels.Bars.Name}", $"cop-listen-{RowChannels.Features.Name}"], runtime.Environment.Settings.HeartbeatFirstBeat), "notify-heartbeat");
            registry.Register<HeartbeatMonitor>(runtime.Heartbeat);
        });

    /// <summary>new_ohlcv_bar -> one BarSeries per (symbol, timeframe) -> feature UPSERT -> watermark.</summary>
    public static AkkaConfigurationBuilder AddBarSeries(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        akka.WithActors(async (system, registry) =>
        {
            var env = runtime.Environment;
            runtime.Features = await FeatureWiring.StartAsync(system, env.Settings, env.ConnectionString, env.Log, runtime.Echo,
                runtime.Online, runtime.Recent, env.FeatureWriter, env.DirectConnectionString);
            registry.Register<BarSeriesSupervisor>(runtime.Features.BarSeries);
        });

    /// <summary>MacroIngestion -> a supervisor per callable source -> a MacroVariable per catalogue entry.</summary>
    public static AkkaConfigurationBuilder AddMacroTree(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        !runtime.Environment.MacroTree ? akka : akka.WithActors((system, registry) =>
            registry.Register<MacroIngestion>(MacroWiring.Start(system, runtime.Environment.Settings, new MacroStore(runtime.Pooled), runtime.Http)));

    /// <summary>The TwelveData poller, when a key is configured: bars through the same validation as a file.</summary>
    public static AkkaConfigurationBuilder AddBarPolling(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        !runtime.Environment.BarPolling ? akka : akka.WithActors((system, _) =>
        {
            var env = runtime.Environment;
            if (env.Settings.TwelveData.ApiKey.Length == 0)
            {
                env.Log.LogInformation("No TwelveData API key (COP_TWELVEDATA_API_KEY): bars come from `cop ingest` or other writers");
                return;
            }
            var bars = new BarStore(env.ConnectionString);
            var ingester = new BarIngester(bars, new QuarantineStore(runtime.Pooled), env.Settings.Validation, "twelvedata");
            TwelveDataPolling.Create(new TwelveDataClient(runtime.Http, env.Settings.TwelveData), ingester, env.Settings.TwelveData, env.Log)
                .RunWith(Sink.Ignore<IngestReport>(), system.Materializer())
                .ContinueWith(_ => bars.DisposeAsync().AsTask(), TaskScheduler.Default);
        });

    /// <summary>new_features -> every DeployedModel (following model_registry) -> decisions, paper trades; dead-letter retries.</summary>
    public static AkkaConfigurationBuilder AddDeployedModels(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        !runtime.Environment.DeployedModels ? akka : akka.WithActors(async (system, registry) =>
        {
            var env = runtime.Environment;
            runtime.Trading = await TradingWiring.StartAsync(system, env.Settings, env.ConnectionString, env.Log, runtime.Echo,
                runtime.Online, runtime.Recent, env.DecisionLog, env.DirectConnectionString);
            registry.Register<DeployedModelSupervisor>(runtime.Trading.Models);
        });

    /// <summary>Redis filled from PostgreSQL on the quarter hours of the session and at 07:00 Bogota.</summary>
    public static AkkaConfigurationBuilder AddOnlineStoreMaterialisation(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        !runtime.Environment.OnlineStoreMaterialisation || runtime.Online is not { } online ? akka : akka.WithActors((system, _) =>
        {
            var settings = runtime.Environment.Settings;
            var reader = new FeatureReader(runtime.Pooled);
            system.ActorOf(PeriodicJob.Props("online store materialisation", async (now, ct) =>
                OnlineFeatureStore.MaterializationDue(now)
                    ? $"{await online.MaterializeAsync(reader, now.AddHours(-24), settings.Notify.Instruments, ct)} rows"
                    : null,
                settings.MaterialisationCheck, firstAfter: TimeSpan.FromSeconds(60 - DateTime.UtcNow.Second)), "online-store-materialisation");
        });
}
