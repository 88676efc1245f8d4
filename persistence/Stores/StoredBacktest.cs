using Cop.Trading.Backtests;
using Cop.Trading.Decisions;

namespace Cop.Persistence.Stores;

/// <summary>One backtest_results row read back: the stored trades (fills), equity curve and daily
/// returns as written, the exact metrics (the metrics JSON) and the rounded spec columns.</summary>
public sealed record StoredBacktest(Guid BacktestId, string ModelId, string? ModelVersion, string? Symbol, DateOnly StartDate, DateOnly EndDate,
    string PeriodType, string? Engine, string? FeaturesSource, int? Bars, string Signature, string RunSource, string? CreatedBy,
    IReadOnlyList<PaperFill> Trades, IReadOnlyList<EquityPoint> EquityCurve, IReadOnlyList<DailyReturn> DailyReturns,
    IReadOnlyDictionary<string, double?> Metrics,
    int? TotalTrades, decimal? WinRate, decimal? SharpeRatio, decimal? MaxDrawdownPct, decimal? TotalPnl, decimal? TotalReturnPct, decimal? ProfitFactor);
