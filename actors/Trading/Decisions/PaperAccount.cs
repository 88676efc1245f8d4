namespace Cop.Trading.Decisions;

/// <summary>
/// A model's paper account, as immutable state with Apply, so a persistent actor can rebuild it
/// by replaying its events: the state after recovery is the state without the crash. PnL in COP per
/// unit of USD (price points); equity starts at InitialEquity.
/// </summary>
public sealed record PaperAccount(int Position, double EntryPrice, double Realised, double Equity, double PeakEquity,
    int TradesToday, DateOnly Day, long? LastTradeBar, long Trades)
{
    public const double InitialEquity = 10_000;

    public static PaperAccount Empty => new(0, 0, 0, InitialEquity, InitialEquity, 0, default, null, 0);

    public double Drawdown => PeakEquity <= 0 ? 0 : (PeakEquity - Equity) / PeakEquity;

    /// <summary>Marks the open position to <paramref name="close"/> and starts a new day's count when the day changes.</summary>
    public PaperAccount MarkToMarket(double close, DateOnly day)
    {
        var equity = InitialEquity + Realised + Position * (close - EntryPrice);
        var peak = Math.Max(PeakEquity, equity);
        return this with { Equity = equity, PeakEquity = peak, TradesToday = day == Day ? TradesToday : 0, Day = day };
    }

    /// <summary>The fill for moving to <paramref name="target"/> at the bar's close: buyers pay half
    /// the spread plus slippage above the close, sellers receive as much below it.</summary>
    public PaperFill Fill(int target, DateTime barTime, long barIndex, double close, FillCosts costs)
    {
        var side = Math.Sign(target - Position);
        var price = close * (1 + side * (costs.SpreadBps / 2 + costs.SlippageBps) / 10_000);
        return new PaperFill(barTime, barIndex, Position, target, close, price, Math.Abs(price - close) * Math.Abs(target - Position));
    }

    public PaperAccount Apply(PaperFill fill)
    {
        // Close what is open at the fill price, then open the remainder there.
        var realised = Realised + Position * (fill.Price - EntryPrice);
        var equity = InitialEquity + realised + fill.To * (fill.MidPrice - fill.Price);
        return this with
        {
            Position = fill.To,
            EntryPrice = fill.To == 0 ? 0 : fill.Price,
            Realised = realised,
            Equity = equity,
            PeakEquity = Math.Max(PeakEquity, equity),
            TradesToday = TradesToday + 1,
            LastTradeBar = fill.BarIndex,
            Trades = Trades + 1,
        };
    }
}
