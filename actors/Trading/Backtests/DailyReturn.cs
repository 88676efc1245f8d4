namespace Cop.Trading.Backtests;

/// <summary>One trading day (Bogota date) of an equity curve: the equity after its last decided
/// bar and its return against the previous day's close (the first day's against the initial equity).</summary>
public readonly record struct DailyReturn(DateOnly Day, double Equity, double Return);
