using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Cop.Actors.Models;
using Cop.Persistence.Stores;
using Cop.Streams.Notifications;
using Microsoft.Extensions.Logging;

namespace Cop.Streams.Trading;

/// <summary>
/// new_features -> every deployed model decides the bar. Events that arrive while the models are
/// busy are folded into one group of at most <c>inFlight</c> bars (Batch folds only under
/// back-pressure, so a quiet live stream sends each bar alone): the whole group goes to the models
/// at once, each model decides it in bar order (its account depends on the previous bar) while it
/// overlaps the journal and row writes of the group. A model that cannot decide a bar (it crashed,
/// its features are missing) does not hold the others back: the failure goes to the dead-letter
/// queue with the spec's retry schedule, and the event moves on to the watermark commit.
/// </summary>
public static class DecisionPipeline
{
    public const string EventType = "decide_bar";

    public static string EventId(string model, string symbol, DateTime bar) => $"{EventType}|{model}|{symbol}|{bar:O}";

    public static Flow<FeaturesWritten, FeaturesWritten, NotUsed> Decide(IActorRef models, DeadLetterStore dlq, TimeSpan timeout,
        ILogger log, Action<FeaturesWritten, DeployedModelSupervisor.BarDecisions>? onDecided = null, int inFlight = 1) =>
        Flow.Create<FeaturesWritten>()
            .Batch(inFlight, e => new List<FeaturesWritten> { e }, (group, e) => { group.Add(e); return group; })
            .SelectAsync(1, async group =>
            {
                // Every ask is sent before any is awaited, in bar order.
                var asks = group.Select(e => AskAsync(models, e, timeout)).ToList();
                for (var i = 0; i < group.Count; i++)
                {
                    var (e, result) = (group[i], await asks[i]);
                    foreach (var failure in result.Failed)
                    {
                        var model = failure.Split(':', 2)[0];
                        log.LogWarning("bar {Symbol} {Time:O} not decided by {Model}: {Failure}; dead-lettered", e.Symbol, e.Time, model, failure);
                        await dlq.AddAsync(EventId(model, e.Symbol, e.Time), EventType, e.Time,
                            JsonSerializer.Serialize(new { model, symbol = e.Symbol, bar_time = e.Time }), failure, DateTime.UtcNow);
                    }
                    onDecided?.Invoke(e, result);
                }
                return (IReadOnlyList<FeaturesWritten>)group;
            })
            .SelectMany(group => group);

    private static async Task<DeployedModelSupervisor.BarDecisions> AskAsync(IActorRef models, FeaturesWritten e, TimeSpan timeout)
    {
        try
        {
            return await models.Ask<DeployedModelSupervisor.BarDecisions>(
                new DeployedModelSupervisor.DecideBar(e.Symbol, e.Time, e.InsertedAt, timeout), timeout + TimeSpan.FromSeconds(5));
        }
        catch (Exception ex)
        {
            return new DeployedModelSupervisor.BarDecisions(e.Time, [], [$"*: {ex.Message}"]);
        }
    }
}

/// <summary>
/// Retries due dead letters of bar decisions: the bar is offered to the models again; the entry
/// is resolved when the model decides it, or when it had already decided it or a later bar
/// (recorded as superseded: a model's account moves forward only), else rescheduled (1 min,
/// 5 min, 15 min) or exhausted.
/// </summary>
public sealed class DeadLetterRetrier(DeadLetterStore dlq, IActorRef models, TimeSpan timeout)
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
                var result = await models.Ask<DeployedModelSupervisor.BarDecisions>(new DeployedModelSupervisor.DecideBar(symbol, bar, null, timeout), timeout + TimeSpan.FromSeconds(5), ct);
                var decided = result.Decided.FirstOrDefault(d => d.ModelId == model);
                if (decided is null)
                    error = result.Failed.FirstOrDefault(f => f.StartsWith(model + ":")) ?? $"{model} is not deployed";
                else if (decided.Duplicate)
                    note = $"superseded: {model} had already decided this bar or a later one";
            }
            catch (Exception e) { error = e.Message; }
            outcomes.Add((letter.Id, await dlq.RecordRetryAsync(letter.Id, error is null, error ?? note, now, ct)));
        }
        return outcomes;
    }
}
