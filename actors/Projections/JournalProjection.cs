using Akka.Actor;
using Akka.Event;

namespace Cop.Actors.Projections;

/// <summary>
/// A read model kept from the journal in its global order (CQRS style: it stores its offset). It
/// loads its stored offset, reads the models' events after it in batches, and has the store apply
/// each batch and its last offset in one transaction; a full batch is followed at once by the next,
/// otherwise it looks again every interval. Any failure (a read, a write, the offset moved by a
/// rebuild) stops it and its back-off supervisor starts it again from the stored offset: an event
/// is applied once, whatever happened in between.
/// </summary>
public sealed class JournalProjection : ReceiveActor, IWithTimers
{
    // Protocol
    public sealed record GetProgress;
    /// <param name="CaughtUp">The last read found less than a full batch: the journal was read to its end then.</param>
    public sealed record Progress(string Projection, long Offset, long EventsApplied, bool CaughtUp);

    private sealed record Started(long Offset);
    private sealed record Read(JournalBatch Batch);
    private sealed record Applied(JournalBatch Batch);
    private sealed record Tick;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IJournalFeed feed, IProjectionStore store, TimeSpan interval, int batchSize) =>
        Akka.Actor.Props.Create(() => new JournalProjection(feed, store, interval, batchSize));

    public JournalProjection(IJournalFeed feed, IProjectionStore store, TimeSpan interval, int batchSize)
    {
        var log = Context.GetLogger();
        long offset = 0, applied = 0;
        bool busy = false, caughtUp = false, started = false;
        store.OffsetAsync().PipeTo(Self, success: o => new Started(o), failure: e => new Status.Failure(e));

        Receive<Started>(s =>
        {
            (offset, started) = (s.Offset, true);
            log.Info("projection {0}: resuming after journal offset {1}", store.Name, offset);
            Timers.StartPeriodicTimer("tick", new Tick(), interval);
            Self.Tell(new Tick());
        });
        Receive<Tick>(_ =>
        {
            if (busy || !started) return;
            busy = true;
            feed.ReadAfterAsync(offset, batchSize).PipeTo(Self, success: b => new Read(b), failure: e => new Status.Failure(e));
        });
        Receive<Read>(r =>
        {
            if (r.Batch.LastOffset <= offset) { (busy, caughtUp) = (false, true); return; }
            store.ApplyAsync(offset, r.Batch).PipeTo(Self, success: () => new Applied(r.Batch), failure: e => new Status.Failure(e));
        });
        Receive<Applied>(a =>
        {
            (offset, busy, caughtUp) = (a.Batch.LastOffset, false, !a.Batch.Full);
            applied += a.Batch.Events.Count;
            if (a.Batch.Full) Self.Tell(new Tick());
        });
        Receive<GetProgress>(_ => Sender.Tell(new Progress(store.Name, offset, applied, caughtUp)));
        Receive<Status.Failure>(f => throw new InvalidOperationException($"projection {store.Name} failed after journal offset {offset}", f.Cause));
    }
}
