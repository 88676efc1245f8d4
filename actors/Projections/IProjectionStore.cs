namespace Cop.Actors.Projections;

/// <summary>A projection's rows and its stored journal offset (implemented in persistence).</summary>
public interface IProjectionStore
{
    /// <summary>The projection's name (`cop projections rebuild NAME`), its key in system.projection_offsets.</summary>
    string Name { get; }

    /// <summary>The journal offset applied so far (0: nothing).</summary>
    Task<long> OffsetAsync(CancellationToken ct = default);

    /// <summary>Applies a batch read after <paramref name="from"/> and stores its last offset, in one
    /// transaction. Fails with <see cref="ProjectionMovedException"/> when the stored offset is no longer
    /// <paramref name="from"/> (a rebuild, another instance): nothing is applied then.</summary>
    Task ApplyAsync(long from, JournalBatch batch, CancellationToken ct = default);

    /// <summary>Empties the rows and the offset (one transaction): the projection is rebuilt from the first event.</summary>
    Task ResetAsync(CancellationToken ct = default);
}
