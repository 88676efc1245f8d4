namespace Cop.Trading.Decisions;

/// <summary>An operator let the model pass this bar undecided (`cop dlq skip`). Journaled as is
/// (manifest model-bar-skipped.v1).</summary>
public sealed record BarSkipped(string Symbol, DateTime BarTime, string SkippedBy, DateTime SkippedAt, string Reason);
