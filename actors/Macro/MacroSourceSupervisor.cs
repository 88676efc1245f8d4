using Akka.Actor;
using Cop.Actors.Supervision;
using Cop.Trading.Macro;

namespace Cop.Actors.Macro;

/// <summary>
/// The MacroVariable actors of one source, each under a back-off supervisor (a crashed variable
/// restarts after 1 s, 2 s, ... up to 1 min). RunAll runs every variable and answers with each
/// one's result; a variable that does not answer in time (crashed mid-run) is reported as lost
/// and simply runs again next time: its work is idempotent.
/// </summary>
public sealed class MacroSourceSupervisor : ReceiveActor
{
    public sealed record RunAll(DateOnly Today, TimeSpan Timeout);
    public sealed record SourceRunCompleted(string Source, IReadOnlyList<MacroVariable.RunCompleted> Results);

    /// <param name="minBackoff">A variable's restarts after a failure: the first wait (hocon: cop.macro.restart), doubling up to <paramref name="maxBackoff"/>.</param>
    public static Props Props(IMacroSource source, IReadOnlyList<MacroVariableSpec> variables, IMacroVariableStore store,
        DateOnly seedStart, int refreshCount, TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null) =>
        Akka.Actor.Props.Create(() => new MacroSourceSupervisor(source, variables, store, seedStart, refreshCount,
            minBackoff ?? TimeSpan.FromSeconds(1), maxBackoff ?? TimeSpan.FromMinutes(1)));

    public MacroSourceSupervisor(IMacroSource source, IReadOnlyList<MacroVariableSpec> variables, IMacroVariableStore store,
        DateOnly seedStart, int refreshCount, TimeSpan minBackoff, TimeSpan maxBackoff)
    {
        var children = variables.ToDictionary(v => v.Column, v => Context.ActorOf(RestartWithBackoff.Props(
            MacroVariable.Props(v, source, store, seedStart, refreshCount), "variable", minBackoff, maxBackoff), v.Column));

        Receive<RunAll>(run =>
        {
            var replyTo = Sender;
            var asks = children.Select(async c =>
            {
                try { return await c.Value.Ask<MacroVariable.RunCompleted>(new MacroVariable.Run(run.Today), run.Timeout); }
                catch (Exception e) { return new MacroVariable.RunCompleted(c.Key, MacroRunResult.Lost, 0, 0, $"no answer: {e.Message}"); }
            });
            Task.WhenAll(asks).PipeTo(replyTo, success: results => new SourceRunCompleted(source.Name, results));
        });
    }

    protected override SupervisorStrategy SupervisorStrategy() => RestartInPlace.Strategy;   // a killed variable's supervisor comes back
}
