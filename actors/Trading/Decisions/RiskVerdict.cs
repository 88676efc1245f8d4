namespace Cop.Trading.Decisions;

/// <summary>What the risk rules said. NotReady: the market is closed for the bar; MacroStale: its
/// macro inputs are missing or older than allowed (see <see cref="MarketReadiness"/>). Journaled:
/// new verdicts go at the end.</summary>
public enum RiskVerdict { Approved, NoChange, KillSwitch, NotReady, MaxDrawdown, MaxTradesPerDay, Cooldown, MaxPosition, MacroStale }
