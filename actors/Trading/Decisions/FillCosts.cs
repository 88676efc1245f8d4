namespace Cop.Trading.Decisions;

/// <summary>Fill costs in basis points of the price (hocon: cop.trading.paper).</summary>
public sealed record FillCosts(double SpreadBps = 2, double SlippageBps = 1);
