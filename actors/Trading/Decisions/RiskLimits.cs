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
