using Akka.Actor;
using Akka.Event;
using Cop.Actors.Telemetry;
using Cop.Trading.Macro;

namespace Cop.Actors.Macro;

/// <summary>
/// One macro series. On each Run it decides for itself what to fetch (seed / gap / refresh),
/// fetches it from its source and stores it through <see cref="MacroIntake"/> (the same
/// validation, UPSERT and quarantine as `cop macro seed`; idempotent: a repeated or interrupted
/// run cannot duplicate rows), and records the run.
/// A source failure is an answer (<see cref="MacroRunResult.Failed"/>); a storage failure crashes the actor so its
/// supervisor restarts it with back-off.
/// </summary>
public sealed class MacroVariable : ReceiveActor
{
    public sealed record Run(DateOnly Today);
    public sealed record RunCompleted(string Variable, MacroRunResult Result, int Upserted, int Rejected, string? Detail);

    public static Props Props(MacroVariableSpec spec, IMacroSource source, IMacroVariableStore store, DateOnly seedStart, int refreshCount) =>
        Akka.Actor.Props.Create(() => new MacroVariable(spec, source, store, seedStart, refreshCount));

    public MacroVariable(MacroVariableSpec spec, IMacroSource source, IMacroVariableStore store, DateOnly seedStart, int refreshCount)
    {
        var log = Context.GetLogger();
        ReceiveAsync<Run>(async run =>
        {
            var plan = ExtractionRange.Decide(spec, await store.RecentDatesAsync(spec, refreshCount), run.Today, seedStart, refreshCount);
            IReadOnlyList<MacroValue> fetched;
            try
            {
                fetched = await source.FetchAsync(spec, plan.From, plan.To);
            }
            catch (MacroSourceException e)
            {
                await store.RecordRunAsync(spec.Column, source.Name, plan, MacroRunResult.Failed, e.Message, 0, 0, source.BreakerState);
                log.Warning("{0}: {1} ({2})", spec.Column, e.Message, plan.Why);
                Sender.Tell(new RunCompleted(spec.Column, MacroRunResult.Failed, 0, 0, e.Message));
                return;
            }
            var (upserted, rejected, _) = await MacroIntake.StoreAsync(store, spec, fetched, run.Today);
            var detail = $"{plan.Why}: {fetched.Count} fetched";
            await store.RecordRunAsync(spec.Column, source.Name, plan, MacroRunResult.Ok, detail, upserted, rejected, source.BreakerState);
            CopMetrics.MacroRowsProcessed.WithLabels("macro", $"macro_{spec.Frequency.ToString().ToLowerInvariant()}", "upsert").Inc(upserted);
            Sender.Tell(new RunCompleted(spec.Column, MacroRunResult.Ok, upserted, rejected, detail));
        });
    }
}
