namespace Cop.Trading.Decisions;

/// <summary>Per-model limits (hocon: cop.trading.risk, overridable per model).</summary>
public sealed record RiskLimits
{
    /// <summary>Stop trading (flatten and refuse) once equity falls this far below its peak (0.1 = 10%).</summary>
    public double MaxDrawdown { get; init; } = 0.10;
    public int MaxTradesPerDay { get; init; } = 10;
    /// <summary>Bars to wait after a trade before the next one.</summary>
    public int CooldownBars { get; init; } = 3;
    /// <summary>Largest absolute position, in units of one contract.</summary>
    public int MaxPosition { get; init; } = 1;
}

/// <summary>What the risk rules said. NotReady: the market is closed for the bar; MacroStale: its
/// macro inputs are missing or older than allowed (see <see cref="MarketReadiness"/>). Journaled:
/// new verdicts go at the end.</summary>
public enum RiskVerdict { Approved, NoChange, KillSwitch, NotReady, MaxDrawdown, MaxTradesPerDay, Cooldown, MaxPosition, MacroStale }

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
