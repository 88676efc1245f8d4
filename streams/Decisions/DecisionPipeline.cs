using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Cop.Actors.Models;
using Cop.Actors.Telemetry;
using Cop.Streams.Notifications;
using Microsoft.Extensions.Logging;

namespace Cop.Streams.Decisions;

/// <summary>
/// new_features -> every deployed model decides the bar. Events that arrive while the models are
/// busy are folded into one group of at most <c>inFlight</c> bars (Batch folds only under
/// back-pressure, so a quiet live stream sends each bar alone): the whole group goes to the models
/// at once, each model decides it in bar order (its account depends on the previous bar) while it
/// overlaps the journal and row writes of the group. A model that fails a bar (it restarted on a
/// lost connection, it was killed, PostgreSQL is down) gets that bar and the rest of the group
/// again, in order, with back-off (cop.trading.retry-backoff: 0.2 s doubling to 5 s) for up to <c>retryFor</c>: a later bar
/// decided first would leave the failed one behind for good, as a model's account only moves
/// forward, so the stream waits rather than skip. What still fails after that (its features are
/// missing, a longer outage, a poison bar) goes to the dead-letter queue with the spec's retry
/// schedule, and the event moves on to the watermark commit, so one broken model holds the others
/// back at most that long. Nothing is lost by moving on: a model decides its symbol's rows without
/// gaps (it decides the one it missed before any later bar, and catches up after a restart), and
/// a poison bar holds it until `cop dlq skip`.
/// </summary>
public static class DecisionPipeline
{
    public const string EventType = "decide_bar";

    public static string EventId(string model, string symbol, DateTime bar) => $"{EventType}|{model}|{symbol}|{bar:O}";

    /// <param name="retryFor">How long a failed bar is asked again before it is dead-lettered.</param>
    /// <param name="timings">The ask margin and the dead-letter back-off (hocon: cop.trading.ask-margin, cop.trading.dead-letter-backoff).</param>
    public static Flow<FeaturesWritten, FeaturesWritten, NotUsed> Decide(IActorRef models, IDeadLetterQueue dlq, TimeSpan timeout,
        ILogger log, int inFlight = 1,
        TimeSpan? retryFor = null, CancellationToken shutdown = default, DecisionRetryState? retrying = null,
        TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null, DecisionPipelineTimings? timings = null) =>
        Flow.Create<FeaturesWritten>()
            // Each bar with the stream's previous row of its symbol: a model whose last decision is
            // that row decides this one without looking for a gap first.
            .StatefulSelectMany(() =>
            {
                var previous = new Dictionary<string, DateTime>();
                return (Func<FeaturesWritten, IEnumerable<Ask>>)(e =>
                {
                    var ask = new Ask(e, previous.TryGetValue(e.Symbol, out var p) ? p : null);
                    previous[e.Symbol] = e.Time;
                    return [ask];
                });
            })
            .Batch(inFlight, a => new List<Ask> { a }, (group, a) => { group.Add(a); return group; })
            .SelectAsync(1, async asked =>
            {
                var t = timings ?? DecisionPipelineTimings.Default;
                var group = asked.Select(a => a.Event).ToList();
                // Every ask is sent before any is awaited, in bar order.
                var asks = asked.Select(a => AskAsync(models, a, timeout, t.AskMargin)).ToList();
                var results = new DeployedModelSupervisor.BarDecisions[group.Count];
                for (var i = 0; i < group.Count; i++) results[i] = await asks[i];
                var first = -1;
                await Retrying.WhilePendingAsync(() => (first = Array.FindIndex(results, r => r.Failed.Count > 0)) >= 0,
                    async () =>
                    {
                        // One at a time from the first failed bar: models that had decided a bar answer it as a duplicate.
                        for (var i = first; i < group.Count; i++) results[i] = Merge(results[i], await AskAsync(models, asked[i], timeout, t.AskMargin));
                    },
                    minBackoff ?? TimeSpan.FromMilliseconds(200), maxBackoff ?? TimeSpan.FromSeconds(5), retryFor ?? TimeSpan.FromSeconds(30),
                    (attempt, backoff) =>
                    {
                        log.LogWarning("bar {Symbol} {BarTime:O} not decided by {Failed} (attempt {Attempt}); asking again from it in {Delay}",
                            group[first].Symbol, group[first].Time, string.Join(", ", results[first].Failed), attempt, backoff);
                        retrying?.Retry(group[first].Symbol, group[first].Time, results[first].Failed, attempt, backoff);
                    }, shutdown);
                retrying?.Clear();
                for (var i = 0; i < group.Count; i++)
                {
                    var (e, result) = (group[i], results[i]);
                    // One line per bar (debug): its symbol and time as properties, to follow it in JSON logs.
                    if (log.IsEnabled(LogLevel.Debug))
                        log.LogDebug("bar {Symbol:l} {BarTime:O} decided: {Decisions:l}", e.Symbol, e.Time,
                            string.Join(", ", result.Decided.Select(d => $"{d.ModelId}{(d.Duplicate ? " (already)" : "")}")));
                    foreach (var failure in result.Failed)
                    {
                        var model = failure.ModelId;
                        log.LogWarning("bar {Symbol} {BarTime:O} not decided by {Model}: {Failure}; dead-lettered", e.Symbol, e.Time, model, failure);
                        CopMetrics.PipelineFailures.WithLabels("decisions", "dead_lettered").Inc();
                        // The record that the bar was not decided is stored before the event moves on,
                        // however long PostgreSQL is away.
                        await Retrying.UntilDoneAsync(() => dlq.AddAsync(EventId(model, e.Symbol, e.Time), EventType, e.Time,
                                JsonSerializer.Serialize(new { model, symbol = e.Symbol, bar_time = e.Time }), failure.ToString(), DateTime.UtcNow, shutdown),
                            t.DeadLetterMinBackoff, t.DeadLetterMaxBackoff,
                            (error, _, delay) => log.LogWarning("dead letter not stored ({Error}); retrying in {Delay}", error.Message, delay), shutdown);
                    }
                }
                return (IReadOnlyList<FeaturesWritten>)group;
            })
            .SelectMany(group => group);

    /// <summary>An earlier answer and a retry's: each model's first real decision, and the retry's failures.</summary>
    private static DeployedModelSupervisor.BarDecisions Merge(DeployedModelSupervisor.BarDecisions before, DeployedModelSupervisor.BarDecisions again)
    {
        var decided = before.Decided.Where(d => !d.Duplicate).ToDictionary(d => d.ModelId);
        foreach (var d in again.Decided) decided.TryAdd(d.ModelId, d);
        return new DeployedModelSupervisor.BarDecisions(again.BarTime, [.. decided.Values], again.Failed);
    }

    private sealed record Ask(FeaturesWritten Event, DateTime? Previous);

    private static async Task<DeployedModelSupervisor.BarDecisions> AskAsync(IActorRef models, Ask a, TimeSpan timeout, TimeSpan askMargin)
    {
        var e = a.Event;
        try
        {
            return await models.Ask<DeployedModelSupervisor.BarDecisions>(
                new DeployedModelSupervisor.DecideBar(e.Symbol, e.Time, e.InsertedAt, timeout, a.Previous), timeout + askMargin);
        }
        catch (Exception ex)
        {
            return new DeployedModelSupervisor.BarDecisions(e.Time, [], [new DeployedModelSupervisor.ModelFailure(DeployedModelSupervisor.ModelFailure.Supervisor, ex.Message)]);
        }
    }
}

/// <summary>The bar the decision pipeline is retrying now, for /health (and the metrics).</summary>
public sealed class DecisionRetryState
{
    public sealed record Retrying(string Symbol, DateTime Bar, IReadOnlyList<DeployedModelSupervisor.ModelFailure> Failed, int Attempt, DateTime Since, TimeSpan NextIn);
    private volatile Retrying? _current;

    public Retrying? Current => _current;

    public void Retry(string symbol, DateTime bar, IReadOnlyList<DeployedModelSupervisor.ModelFailure> failed, int attempt, TimeSpan nextIn)
    {
        var since = _current is { } c && c.Symbol == symbol && c.Bar == bar ? c.Since : DateTime.UtcNow;
        CopMetrics.DecisionRetries.Inc();
        CopMetrics.DecisionRetryingSince.Set(new DateTimeOffset(since).ToUnixTimeSeconds());
        _current = new Retrying(symbol, bar, failed, attempt, since, nextIn);   // last: whoever sees it sees the metrics too
    }

    public void Clear()
    {
        if (_current is null) return;
        _current = null;
        CopMetrics.DecisionRetryingSince.Set(0);
    }
}

/// <summary>
/// Retries due dead letters of bar decisions: the bar is offered to the models again (a model
/// decides the rows before it first: its decisions have no gaps); the entry is resolved only when
/// the model's decision row for the bar is stored, else rescheduled (1 min, 5 min, 15 min) or
/// exhausted. A model past the bar without a decision for it is an error, never "resolved".
/// </summary>
/// <param name="askMargin">How much longer than <paramref name="timeout"/> the supervisor's answer is awaited (hocon: cop.trading.ask-margin).</param>
public sealed class DeadLetterRetrier(IDeadLetterQueue dlq, IActorRef models, TimeSpan timeout, IDecisionLog decisions, TimeSpan? askMargin = null)
{
    public async Task<IReadOnlyList<(long Id, string Status)>> RetryDueAsync(DateTime now, CancellationToken ct = default)
    {
        var outcomes = new List<(long, string)>();
        foreach (var letter in await dlq.DueAsync(now, ct: ct))
        {
            if (letter.EventType != DecisionPipeline.EventType) continue;
            using var payload = JsonDocument.Parse(letter.Payload);
            var model = payload.RootElement.GetProperty("model").GetString()!;
            var symbol = payload.RootElement.GetProperty("symbol").GetString()!;
            var bar = payload.RootElement.GetProperty("bar_time").GetDateTime().ToUniversalTime();
            string? error = null, note = null;
            try
            {
                var result = await models.Ask<DeployedModelSupervisor.BarDecisions>(new DeployedModelSupervisor.DecideBar(symbol, bar, null, timeout), timeout + (askMargin ?? DecisionPipelineTimings.Default.AskMargin), ct);
                var decided = result.Decided.FirstOrDefault(d => d.ModelId == model);
                if (decided is null)
                    error = result.Failed.FirstOrDefault(f => f.ModelId == model)?.ToString() ?? $"{model} is not deployed";
                else if (decided.Duplicate && !await decisions.ExistsAsync(model, symbol, bar, ct))
                    error = $"{model} is past this bar but its decision is not stored (yet)";
                else if (decided.Duplicate)
                    note = $"decided: {model} had decided this bar";
            }
            catch (Exception e) { error = e.Message; }
            outcomes.Add((letter.Id, await dlq.RecordRetryAsync(letter.Id, error is null, error ?? note, now, ct)));
        }
        return outcomes;
    }
}
