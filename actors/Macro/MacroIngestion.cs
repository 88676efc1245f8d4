using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Cop.Actors.Telemetry;

namespace Cop.Actors.Macro;

/// <summary>
/// The root of the macro tree: one MacroSourceSupervisor per source. On every tick (the
/// catalogue's schedule) or RunNow, all sources run in parallel; when every variable has answered,
/// the completion step (forward fill, Parquet masters) runs once.
/// </summary>
public sealed class MacroIngestion : ReceiveActor, IWithTimers
{
    public sealed record RunNow;
    public sealed record IngestionCompleted(IReadOnlyList<MacroVariable.RunCompleted> Results, TimeSpan Elapsed);
    private sealed record Tick;
    private sealed record Finished(IngestionCompleted Completed, IActorRef? ReplyTo);

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyDictionary<string, Props> sources, Func<DateOnly, Task> completion, TimeSpan schedule, TimeSpan runTimeout) =>
        Akka.Actor.Props.Create(() => new MacroIngestion(sources, completion, schedule, runTimeout));

    public MacroIngestion(IReadOnlyDictionary<string, Props> sources, Func<DateOnly, Task> completion, TimeSpan schedule, TimeSpan runTimeout)
    {
        var log = Context.GetLogger();
        var supervisors = sources.Select(s => Context.ActorOf(s.Value, s.Key)).ToList();
        var running = false;
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(5), schedule);

        void Start(IActorRef? replyTo)
        {
            if (running) { replyTo?.Tell(new Status.Failure(new InvalidOperationException("a macro run is already in progress"))); return; }
            running = true;
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var clock = Stopwatch.StartNew();
            async Task<Finished> RunAsync()
            {
                var results = await Task.WhenAll(supervisors.Select(s =>
                    s.Ask<MacroSourceSupervisor.SourceRunCompleted>(new MacroSourceSupervisor.RunAll(today, runTimeout), runTimeout + TimeSpan.FromSeconds(5))));
                await completion(today);
                CopMetrics.MacroPipelineDuration.Observe(clock.Elapsed.TotalSeconds);
                return new Finished(new IngestionCompleted([.. results.SelectMany(r => r.Results)], clock.Elapsed), replyTo);
            }
            RunAsync().PipeTo(Self, failure: e =>
            {
                log.Error(e, "macro run failed before completing");
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
}
