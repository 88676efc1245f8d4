namespace Cop.Trading.Decisions;

/// <summary>
/// Decides whether a wanted position change may trade. Pure: the same rules in live trading,
/// replays and backtests. Checked in this order: kill switch, readiness, no change wanted, max
/// drawdown (only trades that reduce exposure pass), max position, trades per day, cooldown.
/// </summary>
public static class RiskManager
{
    public static RiskVerdict Check(RiskLimits limits, PaperAccount account, int target, long barIndex, bool killSwitch, Readiness readiness)
    {
        if (killSwitch) return RiskVerdict.KillSwitch;
        if (readiness == Readiness.MarketClosed) return RiskVerdict.NotReady;
        if (readiness == Readiness.MacroStale) return RiskVerdict.MacroStale;
        if (target == account.Position) return RiskVerdict.NoChange;
        var reduces = Math.Abs(target) < Math.Abs(account.Position);
        if (account.Drawdown >= limits.MaxDrawdown && !reduces) return RiskVerdict.MaxDrawdown;
        if (Math.Abs(target) > limits.MaxPosition) return RiskVerdict.MaxPosition;
        if (account.TradesToday >= limits.MaxTradesPerDay && !reduces) return RiskVerdict.MaxTradesPerDay;
        if (account.LastTradeBar is { } last && barIndex - last <= limits.CooldownBars && !reduces) return RiskVerdict.Cooldown;
        return RiskVerdict.Approved;
    }
}
