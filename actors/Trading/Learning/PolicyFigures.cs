namespace Cop.Trading.Learning;

/// <summary>How one policy did on a split's bars: total return (fraction of starting equity), Sharpe,
/// max drawdown (fraction, positive) and the number of trades. <see cref="Policy"/> names it: the
/// trained model ("model") or a baseline ("flat", "buy_and_hold", "linear_baseline").</summary>
public sealed record PolicyFigures(string Policy, double TotalReturn, double Sharpe, double MaxDrawdown, int Trades);
