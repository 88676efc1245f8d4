namespace Cop.Streams.Backtests;

/// <summary>backtest_results.period_type: the model's validation or test split (from its experiment), or given dates.</summary>
public enum BacktestPeriod { Validation, Test, Custom }
