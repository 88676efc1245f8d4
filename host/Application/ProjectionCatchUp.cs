using Cop.Actors.Projections;

namespace Cop.Host.Application;

/// <summary>A projection brought to the end of the journal in this process (`cop projections rebuild`),
/// batch by batch through the same store the running projection uses; where another instance
/// applied a batch first (the stored offset moved), it goes on from the stored offset.</summary>
public static class ProjectionCatchUp
{
    public static async Task<(long Offset, long Events)> RunAsync(IJournalFeed feed, IProjectionStore store, int batchSize, CancellationToken ct = default)
    {
        var offset = await store.OffsetAsync(ct);
        long events = 0;
        while (true)
        {
            var batch = await feed.ReadAfterAsync(offset, batchSize, ct);
            if (batch.LastOffset <= offset) return (offset, events);
            try
            {
                await store.ApplyAsync(offset, batch, ct);
                (offset, events) = (batch.LastOffset, events + batch.Events.Count);
            }
            catch (ProjectionMovedException)
            {
                offset = await store.OffsetAsync(ct);
            }
            if (!batch.Full) return (offset, events);
        }
    }
}
