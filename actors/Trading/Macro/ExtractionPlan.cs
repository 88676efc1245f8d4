namespace Cop.Trading.Macro;

/// <summary>What to fetch for one variable, and why.</summary>
public sealed record ExtractionPlan(string Column, ExtractionKind Kind, DateOnly From, DateOnly To, string Why);
