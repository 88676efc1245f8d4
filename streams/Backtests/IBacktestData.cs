using Cop.Trading.Features;

namespace Cop.Streams.Backtests;

/// <summary>What a backtest reads (implemented on PostgreSQL in Cop.Persistence).</summary>
public interface IBacktestData
{
    /// <summary>The registered model (any status), or null when there is none of that id.</summary>
    Task<BacktestModel?> FindModelAsync(string modelId, CancellationToken ct = default);

    /// <summary>The stored feature rows of <paramref name="symbol"/> with from &lt;= time &lt; until, with each bar's close
    /// and macro as-of date, in time order: what the live feature read returns for each of them.</summary>
    Task<IReadOnlyList<FeatureSnapshot>> FeatureRowsAsync(string symbol, DateTime from, DateTime until, CancellationToken ct = default);
}
