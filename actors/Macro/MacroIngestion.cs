using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Cop.Actors.Supervision;
using Cop.Actors.Telemetry;

namespace Cop.Actors.Macro;

/// <summary>
/// The root of the macro tree: one MacroSourceSupervisor per source, each under a back-off
/// supervisor (<see cref="RestartWithBackoff"/>, as every entity: a killed or failed source comes
/// back with its variables instead of staying dead). On every tick (the catalogue's schedule) or
/// RunNow, all sources run in parallel; when every variable has answered, the completion step
/// (forward fill, Parquet masters) runs once.
/// </summary>
public sealed class MacroIngestion : ReceiveActor, IWithTimers
{
    public sealed record RunNow;
    public sealed record IngestionCompleted(IReadOnlyList<MacroVariable.RunCompleted> Results, TimeSpan Elapsed);
    private sealed record Tick;
    private sealed record Finished(IngestionCompleted Completed, IActorRef? ReplyTo);

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="firstRun">The first scheduled run after start (hocon: cop.macro.first-run).</param>
    /// <param name="askMargin">How much longer than <paramref name="runTimeout"/> a source's answer is awaited (hocon: cop.macro.ask-margin).</param>
    /// <param name="minBackoff">A source's restarts: the first wait, doubling up to <paramref name="maxBackoff"/> (hocon: cop.macro.restart).</param>
    public static Props Props(IReadOnlyDictionary<string, Props> sources, Func<DateOnly, Task> completion, TimeSpan schedule, TimeSpan runTimeout,
        TimeSpan? firstRun = null, TimeSpan? askMargin = null, TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null) =>
        Akka.Actor.Props.Create(() => new MacroIngestion(sources, completion, schedule, runTimeout, firstRun ?? TimeSpan.FromSeconds(5),
            askMargin ?? TimeSpan.FromSeconds(5), minBackoff ?? TimeSpan.FromSeconds(1), maxBackoff ?? TimeSpan.FromMinutes(1)));

    public MacroIngestion(IReadOnlyDictionary<string, Props> sources, Func<DateOnly, Task> completion, TimeSpan schedule, TimeSpan runTimeout,
        TimeSpan firstRun, TimeSpan askMargin, TimeSpan minBackoff, TimeSpan maxBackoff)
    {
        var log = Context.GetLogger();
        var supervisors = sources.Select(s => Context.ActorOf(RestartWithBackoff.Props(s.Value, "source", minBackoff, maxBackoff), s.Key)).ToList();
        var running = false;
        Timers.StartPeriodicTimer("tick", new Tick(), firstRun, schedule);

        void Start(IActorRef? replyTo)
        {
            if (running) { replyTo?.Tell(new Status.Failure(new InvalidOperationException("a macro run is already in progress"))); return; }
            running = true;
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var clock = Stopwatch.StartNew();
            async Task<Finished> RunAsync()
            {
                var results = await Task.WhenAll(supervisors.Select(AskSourceAsync));
                await completion(today);
                CopMetrics.MacroPipelineDuration.WithLabels("macro", "run").Observe(clock.Elapsed.TotalSeconds);
                return new Finished(new IngestionCompleted([.. results.SelectMany(r => r.Results)], clock.Elapsed), replyTo);
            }
            // A source that does not answer (restarting after a failure, or too slow) costs its own
            // variables this round, not the others' completion (forward fill, Parquet masters).
            async Task<MacroSourceSupervisor.SourceRunCompleted> AskSourceAsync(IActorRef source)
            {
                try
                {
                    return await source.Ask<MacroSourceSupervisor.SourceRunCompleted>(new MacroSourceSupervisor.RunAll(today, runTimeout), runTimeout + askMargin);
                }
                catch (Exception e)
                {
                    log.Warning("macro source {0} did not answer this round ({1}); its variables are asked again next round", source.Path.Name, e.Message);
                    return new MacroSourceSupervisor.SourceRunCompleted(source.Path.Name, []);
                }
            }
            RunAsync().PipeTo(Self, failure: e =>
            {
                log.Error(e, "macro run failed before completing");
                CopMetrics.PipelineFailures.WithLabels("macro", e.GetType().Name).Inc();
                return new Finished(new IngestionCompleted([], clock.Elapsed), replyTo);
            });
        }

        Receive<Tick>(_ => Start(null));
        Receive<RunNow>(_ => Start(Sender));
        Receive<Finished>(f =>
        {
            running = false;
            var failed = f.Completed.Results.Count(r => r.Result != MacroRunResult.Ok);
            log.Info("macro run: {0} variables, {1} not ok, {2:F1} s", f.Completed.Results.Count, failed, f.Completed.Elapsed.TotalSeconds);
            f.ReplyTo?.Tell(f.Completed);
        });
    }

    protected override SupervisorStrategy SupervisorStrategy() => RestartInPlace.Strategy;   // a source's back-off supervisor, killed, comes back
}
