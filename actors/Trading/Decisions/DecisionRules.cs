namespace Cop.Trading.Decisions;

/// <summary>The rules a model's decisions follow (hocon: cop.trading): its risk limits, its fill
/// costs, and how old its macro inputs may be on the bar's date (a long weekend is 5 days).</summary>
public sealed record DecisionRules(RiskLimits Risk, FillCosts Costs, TimeSpan MaxMacroAge);
