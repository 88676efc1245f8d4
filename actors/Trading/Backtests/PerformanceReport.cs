using Cop.Trading.Decisions;

namespace Cop.Trading.Backtests;

/// <summary>
/// A model's performance over a run of decided bars, computed from its equity curve (one point per
/// decided bar: equity after the bar's decision and fill, marked to its close) and its fills, from
/// a flat account at <see cref="InitialEquity"/>. Pure: backtests, training evaluations and the
/// promotion checks use these definitions and no other. Money is in COP per USD unit (PaperAccount's
/// unit); fractions are plain fractions (0.05 = 5%), never percentages.
/// </summary>
/// <param name="TotalTrades">Number of fills (rows of trading.trades): every position change is one.</param>
/// <param name="ClosedTrips">Number of closed <see cref="RoundTrip"/>s (a position still open at the end is not one).</param>
/// <param name="WinRate">winners / ClosedTrips, a winner being a closed trip with Pnl &gt; 0; 0 without a closed trip.</param>
/// <param name="Sharpe">mean(r) / s(r) * sqrt(252) over the daily returns r (risk-free rate 0), s the sample
/// standard deviation (n - 1); 0 when there are fewer than two daily returns or s is 0.</param>
/// <param name="MaxDrawdown">min over the curve of E_t / max(InitialEquity, E_0..E_t) - 1: 0 or negative (-0.12 = 12% below the peak).</param>
/// <param name="TotalPnl">FinalEquity - InitialEquity (realised and the open position marked to the last close).</param>
/// <param name="TotalReturn">TotalPnl / InitialEquity.</param>
/// <param name="ProfitFactor">GrossProfit / GrossLoss over closed trips; null (undefined, stored as NULL) when
/// GrossLoss is 0, i.e. no closed trip lost (including no closed trip at all).</param>
/// <param name="GrossProfit">Sum of Pnl of closed trips with Pnl &gt; 0.</param>
/// <param name="GrossLoss">-(sum of Pnl of closed trips with Pnl &lt; 0): 0 or positive.</param>
/// <param name="Exposure">Share of decided bars after whose decision a position is held (Position != 0); 0 without bars.</param>
/// <param name="AverageHoldingTime">Mean of ExitTime - EntryTime over closed trips (wall clock, nights and weekends included); 0 without one.</param>
/// <param name="AverageHoldingBars">Mean of ExitBarIndex - EntryBarIndex over closed trips (decided bars); 0 without one.</param>
/// <param name="DailyReturns">Per Bogota date with at least one decided bar, in order: E_d / E_(d-1) - 1, E_d the
/// equity after the day's last decided bar, E_(first day - 1) = InitialEquity. Days without bars (weekends,
/// holidays) are not trading days and have no return.</param>
public sealed record PerformanceReport(
    double InitialEquity, double FinalEquity, int Bars,
    int TotalTrades, int ClosedTrips, double WinRate, double Sharpe, double MaxDrawdown,
    double TotalPnl, double TotalReturn, double? ProfitFactor, double GrossProfit, double GrossLoss,
    double Exposure, TimeSpan AverageHoldingTime, double AverageHoldingBars,
    IReadOnlyList<EquityPoint> EquityCurve, IReadOnlyList<DailyReturn> DailyReturns,
    IReadOnlyList<RoundTrip> RoundTrips, IReadOnlyList<PaperFill> Fills)
{
    public static readonly double AnnualisationFactor = Math.Sqrt(252);

    /// <summary>The report of a sequence of decisions of one model in time order (journaled, stored or backtested).</summary>
    public static PerformanceReport From(IEnumerable<ModelDecided> decisions, double initialEquity = PaperAccount.InitialEquity)
    {
        var tracker = new PerformanceTracker(initialEquity);
        foreach (var d in decisions) tracker.Add(d);
        return tracker.Report();
    }

    /// <summary>The report of an equity curve and its fills (in time order), from a flat account at <paramref name="initialEquity"/>.</summary>
    public static PerformanceReport From(IReadOnlyList<EquityPoint> curve, IReadOnlyList<PaperFill> fills, double initialEquity = PaperAccount.InitialEquity)
    {
        var finalEquity = curve.Count == 0 ? initialEquity : curve[^1].Equity;
        var trips = RoundTripsOf(fills);
        var daily = DailyReturnsOf(curve, initialEquity);

        // Win rate, profit factor, holding: over closed trips only.
        int winners = 0;
        double grossProfit = 0, grossLoss = 0, holdingBars = 0;
        long holdingTicks = 0;
        foreach (var t in trips)
        {
            if (t.Pnl > 0) { winners++; grossProfit += t.Pnl; }
            else if (t.Pnl < 0) grossLoss -= t.Pnl;
            holdingTicks += t.HoldingTime.Ticks;
            holdingBars += t.HoldingBars;
        }

        // Max drawdown: the deepest fall below the running peak (the peak starts at the initial equity).
        double peak = initialEquity, maxDrawdown = 0;
        var exposed = 0;
        foreach (var p in curve)
        {
            peak = Math.Max(peak, p.Equity);
            maxDrawdown = Math.Min(maxDrawdown, p.Equity / peak - 1);
            if (p.Position != 0) exposed++;
        }

        var totalPnl = finalEquity - initialEquity;
        return new PerformanceReport(
            initialEquity, finalEquity, curve.Count,
            TotalTrades: fills.Count,
            ClosedTrips: trips.Count,
            WinRate: trips.Count == 0 ? 0 : (double)winners / trips.Count,
            Sharpe: SharpeOf(daily),
            MaxDrawdown: maxDrawdown,
            TotalPnl: totalPnl,
            TotalReturn: totalPnl / initialEquity,
            ProfitFactor: grossLoss == 0 ? null : grossProfit / grossLoss,
            GrossProfit: grossProfit,
            GrossLoss: grossLoss,
            Exposure: curve.Count == 0 ? 0 : (double)exposed / curve.Count,
            AverageHoldingTime: trips.Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(holdingTicks / trips.Count),
            AverageHoldingBars: trips.Count == 0 ? 0 : holdingBars / trips.Count,
            curve, daily, trips, fills);
    }

    /// <summary>Closed trips of a fill sequence: each fill closes the open position (if any) at its
    /// price, Pnl = quantity * (exit - entry), and opens its To (if not 0) at the same price.</summary>
    public static IReadOnlyList<RoundTrip> RoundTripsOf(IReadOnlyList<PaperFill> fills)
    {
        var trips = new List<RoundTrip>();
        PaperFill? open = null;
        foreach (var f in fills)
        {
            if (open is not null && open.To != 0)
                trips.Add(new RoundTrip(open.To, open.BarTime, open.BarIndex, open.Price, f.BarTime, f.BarIndex, f.Price, open.To * (f.Price - open.Price)));
            open = f;
        }
        return trips;
    }

    /// <summary>Daily returns (see <see cref="DailyReturns"/>): the equity after each Bogota date's
    /// last decided bar against the previous one's (the first against the initial equity).</summary>
    public static IReadOnlyList<DailyReturn> DailyReturnsOf(IReadOnlyList<EquityPoint> curve, double initialEquity)
    {
        var days = new List<DailyReturn>();
        var previous = initialEquity;
        for (var i = 0; i < curve.Count; i++)
        {
            var day = TradingSession.BogotaDate(curve[i].BarTime);
            if (i + 1 < curve.Count && TradingSession.BogotaDate(curve[i + 1].BarTime) == day) continue;   // not the day's last bar
            days.Add(new DailyReturn(day, curve[i].Equity, curve[i].Equity / previous - 1));
            previous = curve[i].Equity;
        }
        return days;
    }

    /// <summary>mean / sample std * sqrt(252), risk-free 0; 0 with fewer than two returns or no variation.</summary>
    public static double SharpeOf(IReadOnlyList<DailyReturn> daily)
    {
        var n = daily.Count;
        if (n < 2) return 0;
        double mean = 0;
        foreach (var d in daily) mean += d.Return;
        mean /= n;
        double squares = 0;
        foreach (var d in daily) squares += (d.Return - mean) * (d.Return - mean);
        var std = Math.Sqrt(squares / (n - 1));
        return std == 0 ? 0 : mean / std * AnnualisationFactor;
    }
}
