using Cop.Actors.Jobs;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Models;
using Cop.Host.Configuration;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Streams.Notifications;
using Cop.Streams.Decisions;
using Cop.Trading.Decisions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cop.Host.Infrastructure;

/// <summary>
/// The trading path as AddCop starts it (AddDeployedModels): the DeployedModel supervisor (following
/// model_registry), the graph new_features NOTIFY -> every deployed model -> watermark commit, and
/// the dead-letter retrier.
/// </summary>
public sealed class TradingWiring : IAsyncDisposable
{
    public const string Consumer = "decision-maker";
    private readonly NpgsqlDataSource _db;
    private readonly FeatureStore _featureStore;
    private readonly UniqueKillSwitch _kill;
    private readonly IActorRef _retries;

    private TradingWiring(NpgsqlDataSource db, FeatureStore featureStore, EventConsumer<FeaturesWritten> features, IActorRef models,
        UniqueKillSwitch kill, IActorRef retries)
    {
        (_db, _featureStore, Features, Models, _kill, _retries) = (db, featureStore, features, models, kill, retries);
    }

    public EventConsumer<FeaturesWritten> Features { get; }
    public IActorRef Models { get; }

    /// <param name="online">Redis for the hybrid feature read; null: PostgreSQL, then recompute.</param>
    /// <param name="recent">The rows the feature writer in this process just committed, read first.</param>
    /// <param name="decorate">Wraps the decision log (an observer's decorator; identity in `cop run`).</param>
    public static async Task<TradingWiring> StartAsync(ActorSystem system, CopSettings settings, string cs, ILogger log,
        Action<string, string>? onHeartbeat, OnlineFeatureStore? online, RecentFeatureRows? recent, Func<IDecisionLog, IDecisionLog> decorate,
        string? direct = null)
    {
        var t = settings.Trading;
        var db = NpgsqlDataSource.Create(ConnectionStrings.Pooled(cs, "cop-trading", t.MaxConnections));
        var registry = new ModelRegistryStore(db);
        var featureStore = new FeatureStore(direct ?? cs);
        var stored = new FeatureReader(db);   // also the order of the feature rows a model decides without gaps
        var reader = new FeatureReadPolicy(online, stored, new RecomputedFeatures(featureStore), memory: recent);
        var decisions = decorate(new DecisionStore(db));
        var models = system.ActorOf(DeployedModelSupervisor.Props(registry,
            info => DeployedModel.Props(info.ModelId, () => PolicySession.Load(info.FilePath, info.FileSha256), NormStats.FromJson(info.NormStatsJson),
                t.Models, reader, decisions, info.KillSwitch, stored, new DecisionSkipStore(db)),
            t.RegistryPoll, t.Models.Symbol, t.Models.RestartMinBackoff, t.Models.RestartMaxBackoff), "models");
        var dlq = new DeadLetterStore(db);
        var retrying = new DecisionRetryState();
        var features = await EventConsumer<FeaturesWritten>.CreateAsync(RowChannels.Features, cs, Consumer, settings.Notify, log, onHeartbeat, direct);
        var kill = features.Source()
            .Via(DecisionPipeline.Decide(models, dlq, t.DecisionTimeout, log, t.DecisionsInFlight, t.RetryFor, features.Context.Shutdown, retrying, t.RetryMinBackoff, t.RetryMaxBackoff, t.PipelineTimings))
            .Via(features.CommitWatermarks())
            .ViaMaterialized(KillSwitches.Single<FeaturesWritten>(), Keep.Right)
            .To(Sink.Ignore<FeaturesWritten>())
            .Run(system.Materializer());
        var retrier = new DeadLetterRetrier(dlq, models, t.DecisionTimeout, decisions, t.PipelineTimings.AskMargin);
        // A supervised job, one run at a time: a slow round of retries is not overlapped by the next.
        var retries = system.ActorOf(PeriodicJob.Props("dead-letter retries", async (now, ct) =>
        {
            var outcomes = await retrier.RetryDueAsync(now, ct);
            return outcomes.Count == 0 ? null : string.Join(", ", outcomes.GroupBy(o => o.Status).Select(g => $"{g.Count()} {g.Key}"));
        }, t.DeadLetterInterval), "dead-letter-retries");
        return new TradingWiring(db, featureStore, features, models, kill, retries) { Retrying = retrying };
    }

    /// <summary>The bar the pipeline is retrying now (for /health).</summary>
    public DecisionRetryState Retrying { get; private init; } = new();

    /// <summary>Waits until every deployed model runs (or the timeout passes); returns how many run.</summary>
    public async Task<int> WaitForModelsAsync(int expected, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var list = await Models.Ask<DeployedModelSupervisor.ModelList>(new DeployedModelSupervisor.ListModels(), TimeSpan.FromSeconds(5));
            if (list.Running.Count >= expected || DateTime.UtcNow > until) return list.Running.Count;
            await Task.Delay(100);
        }
    }

    private int _disposed;

    /// <summary>Stops the graph and closes its connections; once (`cop run` does it while the
    /// actor system is still up, in CoordinatedShutdown, and again on the way out).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _retries.Tell(PoisonPill.Instance);   // cancels a round in flight
        Features.Stop();
        _kill.Shutdown();
        await Features.DisposeAsync();
        await _featureStore.DisposeAsync();
        await _db.DisposeAsync();
    }
}
