using Cop.Actors.Models;
using Cop.Trading.Backtests;
using Cop.Trading.Decisions;

namespace Cop.Streams.Backtests;

/// <summary>
/// A finished backtest: one row of backtest_results. <see cref="Report"/> holds the metrics, the
/// fills (the stored trades), the equity curve and the daily returns; <see cref="Signature"/> is
/// <see cref="BacktestSignature.Of"/> of its fills and curve. <see cref="Decisions"/> are the rows
/// live trading would have written for these bars (trading.model_inferences / trading.trades),
/// kept in memory for comparisons when the request asks (<see cref="BacktestRequest.KeepDecisions"/>), not stored.
/// </summary>
public sealed record BacktestResult(Guid BacktestId, string ModelId, string ModelVersion, string Symbol, BacktestPeriod Period,
    DateOnly From, DateOnly To, BacktestMode Mode, bool RebuiltFeatures, DecisionRules Rules, PerformanceReport Report, string Signature,
    IReadOnlyList<DecisionRecord> Decisions, string RunSource, string CreatedBy, DateTime RunAt, TimeSpan Elapsed)
{
    /// <summary>Decided bars per second of the run (loading excluded).</summary>
    public double BarsPerSecond => Elapsed > TimeSpan.Zero ? Report.Bars / Elapsed.TotalSeconds : 0;
}
