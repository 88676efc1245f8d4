namespace Cop.Streams.Backtests;

/// <summary>backtest_results (implemented on PostgreSQL in Cop.Persistence).</summary>
public interface IBacktestResults
{
    Task SaveAsync(BacktestResult result, CancellationToken ct = default);
}
