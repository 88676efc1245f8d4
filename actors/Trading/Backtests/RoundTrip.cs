namespace Cop.Trading.Backtests;

/// <summary>
/// One position held between two fills: opened by a fill that leaves a position (To != 0) and
/// closed by the next fill, whatever it does (flat, flip or resize), at that fill's price. This
/// is how <see cref="Decisions.PaperAccount"/> realises PnL (every fill closes what is open at its
/// price and opens the remainder there), so the PnL of the closed trips sums to the account's
/// realised PnL. Prices are fill prices, spread and slippage included on both legs.
/// </summary>
/// <param name="Quantity">Signed: +1 long one unit, -1 short one unit.</param>
/// <param name="Pnl">Quantity * (ExitPrice - EntryPrice), COP per USD unit.</param>
public sealed record RoundTrip(int Quantity, DateTime EntryTime, long EntryBarIndex, double EntryPrice,
    DateTime ExitTime, long ExitBarIndex, double ExitPrice, double Pnl)
{
    public TimeSpan HoldingTime => ExitTime - EntryTime;
    public long HoldingBars => ExitBarIndex - EntryBarIndex;
}
