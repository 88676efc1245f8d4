namespace Cop.Streams.Backtests;

/// <summary>
/// What to backtest: a registered model over a period of stored bars. Dates are Bogota trading
/// days, inclusive. <see cref="BacktestPeriod.Custom"/> needs <see cref="From"/> and <see cref="To"/>;
/// validation and test take the model's dates from its experiment (From/To must then be null).
/// </summary>
public sealed record BacktestRequest(string ModelId, BacktestPeriod Period = BacktestPeriod.Custom, DateOnly? From = null, DateOnly? To = null)
{
    public BacktestMode Mode { get; init; } = BacktestMode.FastLoop;
    /// <summary>Rebuild the features from the stored bars with FeatureBuilder instead of reading the stored rows.</summary>
    public bool RebuildFeatures { get; init; }
    /// <summary>backtest_results.run_source: "backend" (the CLI) or "frontend" (the web UI).</summary>
    public string RunSource { get; init; } = "backend";
    public string CreatedBy { get; init; } = Environment.UserName;
    /// <summary>Keep every bar's decision row in <see cref="BacktestResult.Decisions"/> (comparisons with live rows and
    /// between modes); false: only the fills and the equity curve, as stored.</summary>
    public bool KeepDecisions { get; init; }
    /// <summary>False: run and report, store nothing (benchmarks, dry runs).</summary>
    public bool Store { get; init; } = true;
}
