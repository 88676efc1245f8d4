namespace Cop.Actors.Models;

/// <summary>An operator's `cop dlq skip` of one (model, bar): who, when and why.</summary>
public sealed record DecisionSkip(string SkippedBy, DateTime SkippedAt, string Reason);
