namespace Cop.Trading.Promotion;

/// <summary>What the automatic vote reads from a backtest: Sharpe ratio, win rate (0..1), maximum
/// drawdown as a negative fraction (-0.08 is -8 %), number of trades.</summary>
public sealed record VoteMetrics(double Sharpe, double WinRate, double MaxDrawdown, int TotalTrades);
