using Cop.Actors.Models;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Features;
using Cop.Actors.Serialization;
using Cop.Host.Configuration;
using Cop.Persistence.Stores;
using Cop.Streams.Features;
using Cop.Streams.Notifications;
using Microsoft.Extensions.Logging;

namespace Cop.Host.Infrastructure;

/// <summary>
/// The feature path as AddCop starts it (AddBarSeries): the bar series supervisor, and
/// the graph new_ohlcv_bar NOTIFY -> BarSeries -> feature UPSERT -> watermark commit.
/// </summary>
public sealed class FeatureWiring : IAsyncDisposable
{
    public const string Consumer = "feature-builder";

    private readonly FeatureStore _store;
    private readonly UniqueKillSwitch _kill;
    private readonly TimeSpan _stopTimeout;

    private FeatureWiring(FeatureStore store, EventConsumer<BarInserted> bars, IActorRef series, UniqueKillSwitch kill, Task done, TimeSpan stopTimeout)
    {
        (_store, Bars, BarSeries, _kill, Completion, _stopTimeout) = (store, bars, series, kill, done, stopTimeout);
    }

    public EventConsumer<BarInserted> Bars { get; }
    public IActorRef BarSeries { get; }
    public Task Completion { get; }

    /// <param name="online">When given, each committed feature row is pushed to Redis right after its commit.</param>
    /// <param name="recent">When given, each committed feature row is kept there for the models in this process.</param>
    /// <param name="decorate">Wraps the writer's store (an observer's decorator; identity in `cop run`).</param>
    public static async Task<FeatureWiring> StartAsync(ActorSystem system, CopSettings settings, string cs, ILogger log,
        Action<string, string>? onHeartbeat, OnlineFeatureStore? online, RecentFeatureRows? recent, Func<IBarSeriesStore, IBarSeriesStore> decorate,
        string? direct = null)
    {
        // The writer's role is session state (options -c role=...): direct when a pooler is in front.
        var store = new FeatureStore(direct ?? cs);
        var bars = await EventConsumer<BarInserted>.CreateAsync(RowChannels.Bars, cs, Consumer, settings.Notify, log, onHeartbeat, direct);
        var writer = decorate(online is null && recent is null ? store : new FeaturePublisher(store, online, recent));
        var series = system.ActorOf(BarSeriesSupervisor.Props(writer, settings.Series), "bar-series");
        var (kill, done) = bars.Source()
            .Via(FeaturePipeline.BuildFeatures(series, settings.Pipeline, log, bars.Context.Shutdown))
            .Via(bars.CommitWatermarks())
            .ViaMaterialized(KillSwitches.Single<BarInserted>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<BarInserted>(), Keep.Both)
            .Run(system.Materializer());
        return new FeatureWiring(store, bars, series, kill, done, settings.GraphStopTimeout);
    }

    private int _disposed;

    /// <summary>Stops the graph (waiting for it while the actor system still runs) and closes
    /// its connections; once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Bars.Stop();
        _kill.Shutdown();
        try { await Completion.WaitAsync(_stopTimeout); } catch (Exception) { /* a graph that does not end in time is left to the system's shutdown */ }
        await Bars.DisposeAsync();
        await _store.DisposeAsync();
    }
}
