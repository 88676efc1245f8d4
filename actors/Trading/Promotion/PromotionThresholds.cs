namespace Cop.Trading.Promotion;

/// <summary>The automatic vote's thresholds for one stage (hocon: cop.promotion.staging / .production).
/// Every check is "value >= threshold", so a value exactly at the threshold passes; the drawdown is a
/// negative fraction, so -0.15 means "no worse than -15 %". <see cref="MinStagingDays"/> null: no
/// staging-time rule.</summary>
public sealed record PromotionThresholds(double MinSharpe, double MinWinRate, double MaxDrawdown, int MinTrades, double? MinStagingDays = null)
{
    /// <summary>plan-v7 L4 step 2, staging.</summary>
    public static readonly PromotionThresholds Staging = new(0.5, 0.45, -0.15, 50);
    /// <summary>plan-v7 L4 step 2, production (and at least 7 days in staging).</summary>
    public static readonly PromotionThresholds Production = new(1.0, 0.50, -0.10, 100, 7);
}
