namespace Cop.Actors.Projections;

/// <summary>A read of the journal after an offset: the models' events in it, the last offset read
/// (past other entities' events too), and whether the read was cut at its maximum (more to read now).</summary>
public sealed record JournalBatch(IReadOnlyList<JournalEvent> Events, long LastOffset, bool Full);
