namespace Cop.Actors.Projections;

/// <summary>One deployed model's journaled event, with its place in the whole journal (the offset a projection stores).</summary>
public sealed record JournalEvent(long Offset, string ModelId, long SequenceNr, object Event);
