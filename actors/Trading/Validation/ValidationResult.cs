namespace Cop.Trading.Validation;

/// <summary>What validation decided for every bar of a batch: each raw bar is in exactly one list.</summary>
public sealed record ValidationResult(IReadOnlyList<AcceptedBar> Accepted, IReadOnlyList<RejectedBar> Rejected);
