namespace Cop.Actors.Projections;

/// <summary>The journal in its global order (Akka.Persistence.Query's AllEvents, implemented in persistence).</summary>
public interface IJournalFeed
{
    Task<JournalBatch> ReadAfterAsync(long after, int max, CancellationToken ct = default);
}
