namespace Cop.Trading.Backtests;

/// <summary>The account after one decided bar: equity marked to the bar's close (after its fill,
/// if any) and the position then held.</summary>
public readonly record struct EquityPoint(DateTime BarTime, double Equity, int Position);
