using Akka.Actor;
using Akka.Event;

namespace Cop.Actors.Jobs;

/// <summary>
/// A job that runs every interval (the dead-letter retries, the online store's materialisation):
/// one run at a time, so a slow run is never overlapped by the next tick (that tick is skipped),
/// I/O through PipeTo, a failed run logged and tried again at the next tick. Stopping the actor
/// cancels the run in flight.
/// </summary>
public sealed class PeriodicJob : ReceiveActor, IWithTimers
{
    /// <summary>What a run reports: a line for the log, or null when there is nothing to say.</summary>
    public delegate Task<string?> Run(DateTime utcNow, CancellationToken ct);

    // Protocol
    public sealed record RunNow;
    public sealed record GetStatus;
    public sealed record JobStatus(string Name, int Runs, int Failures, int Skipped, bool Running, string? LastError);
    private sealed record Tick;
    private sealed record Finished(string? Report);
    private sealed record Failed(Exception Error);

    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private int _runs, _failures, _skipped;
    private bool _running;
    private string? _lastError;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string name, Run run, TimeSpan interval, TimeSpan? firstAfter = null) =>
        Akka.Actor.Props.Create(() => new PeriodicJob(name, run, interval, firstAfter ?? interval));

    public PeriodicJob(string name, Run run, TimeSpan interval, TimeSpan firstAfter)
    {
        void Start()
        {
            if (_running) { _skipped++; return; }
            _running = true;
            run(DateTime.UtcNow, _stopping.Token).PipeTo(Self, success: r => new Finished(r), failure: e => new Failed(e));
        }

        Receive<Tick>(_ => Start());
        Receive<RunNow>(_ => Start());
        Receive<Finished>(f =>
        {
            (_running, _lastError) = (false, null);
            _runs++;
            if (f.Report is not null) _log.Info("{0}: {1}", name, f.Report);
        });
        Receive<Failed>(f =>
        {
            _running = false;
            _runs++;
            _failures++;
            _lastError = f.Error.GetBaseException().Message;
            Cop.Actors.Telemetry.CopMetrics.PipelineFailures.WithLabels(name, f.Error.GetBaseException().GetType().Name).Inc();
            _log.Warning("{0} failed ({1}); tried again in {2}", name, _lastError, interval);
        });
        Receive<GetStatus>(_ => Sender.Tell(new JobStatus(name, _runs, _failures, _skipped, _running, _lastError)));
        Timers.StartPeriodicTimer("tick", new Tick(), firstAfter, interval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
