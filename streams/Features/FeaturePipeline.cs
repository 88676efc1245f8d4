using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Cop.Actors.Features;
using Cop.Actors.Telemetry;
using Cop.Streams.Notifications;
using Microsoft.Extensions.Logging;

namespace Cop.Streams.Features;

/// <summary>How the bar stream drives the bar series (hocon: cop.features).</summary>
public sealed record FeaturePipelineSettings
{
    public string Timeframe { get; init; } = "5m";
    /// <summary>Most bar events folded into one unit of work while the series is busy.</summary>
    public int MaxBatch { get; init; } = 2_000;
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>An unconfirmed unit is asked again after this, doubling up to RetryMax (hocon: cop.features.retry-backoff).</summary>
    public TimeSpan RetryMin { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The Akka.Streams graph from bar notifications to feature rows: events that arrive while a
/// series is busy are folded into one "process up to T" command (Batch only folds under
/// back-pressure, so a quiet live stream sends each bar alone), one command in flight, retried
/// with back-off until the series confirms it (a restarting series answers nothing). Events
/// pass on only once their features are committed, so the watermark commit after this flow
/// never runs ahead of the feature store.
/// </summary>
public static class FeaturePipeline
{
    public static Flow<BarInserted, BarInserted, NotUsed> BuildFeatures(IActorRef barSeries, FeaturePipelineSettings settings,
        ILogger log, CancellationToken shutdown) =>
        Flow.Create<BarInserted>()
            .Batch(settings.MaxBatch, e => new List<BarInserted> { e }, (batch, e) => { batch.Add(e); return batch; })
            .SelectAsync(1, async batch =>
            {
                foreach (var series in batch.GroupBy(e => e.Symbol))
                {
                    var upTo = series.Max(e => e.Time);
                    await UntilConfirmed(barSeries, new BarSeries.ProcessUpTo(series.Key, settings.Timeframe, upTo), settings, log, shutdown);
                }
                var now = DateTime.UtcNow;
                foreach (var e in batch)
                {
                    if (e.InsertedAt is { } at) CopMetrics.FeatureLatency.Observe(Math.Max(0, (now - at).TotalSeconds));
                    // One line per bar (debug): its symbol and time as properties, to follow it in JSON logs.
                    if (log.IsEnabled(LogLevel.Debug))
                        log.LogDebug("bar {Symbol:l} {BarTime:O} ({Origin}, committed {InsertedAt:O}): features committed", e.Symbol, e.Time, e.Origin, e.InsertedAt);
                }
                return (IReadOnlyList<BarInserted>)batch;
            })
            .SelectMany(batch => batch);

    private static Task UntilConfirmed(IActorRef barSeries, BarSeries.ProcessUpTo command, FeaturePipelineSettings settings,
        ILogger log, CancellationToken shutdown) =>
        Retrying.UntilDoneAsync(() => barSeries.Ask<BarSeries.Processed>(command, settings.AskTimeout, shutdown), settings.RetryMin, settings.RetryMax,
            (e, attempt, delay) => log.LogWarning("features for {Symbol} up to {UpTo:O} not confirmed (attempt {Attempt}): {Error}; retrying in {Delay}",
                command.Symbol, command.UpTo, attempt, e.Message, delay), shutdown);
}
