namespace Cop.Trading.Macro;

/// <summary>What operators decided about one series (`cop macro accept` / `cop macro reject`):
/// the dates from which a new level was accepted, and the date ranges marked bad. A range marked
/// bad wins over an accepted level.</summary>
public sealed record MacroOperatorDecisions(IReadOnlyList<DateOnly> NewLevelsFrom, IReadOnlyList<(DateOnly From, DateOnly To)> Rejected)
{
    public static readonly MacroOperatorDecisions None = new([], []);

    public bool IsRejected(DateOnly date) => Rejected.Any(r => date >= r.From && date <= r.To);

    /// <summary>True when an operator accepted a new level dated after the reference and on or before this value.</summary>
    public bool NewLevelBetween(DateOnly reference, DateOnly date) => NewLevelsFrom.Any(d => d > reference && d <= date);
}
