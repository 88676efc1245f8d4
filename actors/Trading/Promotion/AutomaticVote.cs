namespace Cop.Trading.Promotion;

/// <summary>The automatic vote (plan-v7 L4 step 2): every check must pass.</summary>
public sealed record AutomaticVote(bool Passed, IReadOnlyList<VoteCheck> Checks)
{
    public const string Sharpe = "sharpe";
    public const string WinRate = "win_rate";
    public const string MaxDrawdown = "max_drawdown";
    public const string MinTrades = "min_trades";
    public const string StagingDays = "staging_days";

    /// <summary>The vote on a backtest's metrics. <paramref name="stagingSince"/>: when the model last
    /// entered staging, if it is in staging now (null: it is not, so a staging-time rule fails with 0 days).</summary>
    public static AutomaticVote Compute(VoteMetrics metrics, PromotionThresholds thresholds, DateTime? stagingSince, DateTime now)
    {
        var checks = new List<VoteCheck>
        {
            Check(Sharpe, metrics.Sharpe, thresholds.MinSharpe),
            Check(WinRate, metrics.WinRate, thresholds.MinWinRate),
            Check(MaxDrawdown, metrics.MaxDrawdown, thresholds.MaxDrawdown),
            Check(MinTrades, metrics.TotalTrades, thresholds.MinTrades),
        };
        if (thresholds.MinStagingDays is { } days)
            checks.Add(Check(StagingDays, stagingSince is { } since ? Math.Max(0, (now - since).TotalDays) : 0, days));
        return new AutomaticVote(checks.TrueForAll(c => c.Passed), checks);
    }

    // NaN (a backtest without trades has no Sharpe) fails every check.
    private static VoteCheck Check(string name, double value, double threshold) => new(name, value, threshold, value >= threshold);
}
