using Cop.Trading.Backtests;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Trading.Tests;

/// <summary>The performance metrics on hand-made decisions whose every figure is worked out here
/// by hand, their edge cases, and their agreement with the paper account that made the fills.</summary>
public class PerformanceReportTests
{
    private const string Symbol = "USD/COP";

    private static DateTime Day(int day, int minute = 0) => new DateTime(2024, 7, day, 13, 0, 0, DateTimeKind.Utc).AddMinutes(minute);

    private static ModelDecided Decided(DateTime bar, long index, double equity, (int From, int To, double Price)? fill = null) =>
        new(Symbol, bar, index, TradeAction.Hold, 0.5, fill is null ? RiskVerdict.NoChange : RiskVerdict.Approved, "h", 4000,
            fill is { } f ? new PaperFill(bar, index, f.From, f.To, f.Price - 1, f.Price, 1) : null, equity, 0);

    // Three Bogota days (Tue 2 .. Thu 4 July 2024), 8 bars: long, flip short (+30), flatten (-20), long again (open at the end).
    private static readonly ModelDecided[] Scenario =
    [
        Decided(Day(2, 0), 0, 9999, (0, 1, 4000)),
        Decided(Day(2, 5), 1, 10010),
        Decided(Day(2, 10), 2, 10020),
        Decided(Day(3, 0), 3, 10025, (1, -1, 4030)),
        Decided(Day(3, 5), 4, 9900),
        Decided(Day(4, 0), 5, 9950, (-1, 0, 4050)),
        Decided(Day(4, 5), 6, 9950),
        Decided(Day(4, 10), 7, 9945, (0, 1, 4040)),
    ];

    [Fact]
    public void Every_metric_of_a_worked_example()
    {
        var r = PerformanceReport.From(Scenario);

        Assert.Equal((8, 4, 2), (r.Bars, r.TotalTrades, r.ClosedTrips));
        Assert.Equal(
            [new RoundTrip(1, Day(2, 0), 0, 4000, Day(3, 0), 3, 4030, 30), new RoundTrip(-1, Day(3, 0), 3, 4030, Day(4, 0), 5, 4050, -20)],
            r.RoundTrips);
        Assert.Equal(0.5, r.WinRate);
        Assert.Equal((30.0, 20.0), (r.GrossProfit, r.GrossLoss));
        Assert.Equal(1.5, r.ProfitFactor);
        Assert.Equal((10_000.0, 9945.0, -55.0), (r.InitialEquity, r.FinalEquity, r.TotalPnl));
        Assert.Equal(-0.0055, r.TotalReturn, 12);
        Assert.Equal(9900.0 / 10025 - 1, r.MaxDrawdown, 12);             // the peak 10,025 (day 3's first bar), the trough 9,900
        Assert.Equal(6.0 / 8, r.Exposure);                               // positions 1,1,1,-1,-1,0,0,1
        Assert.Equal(TimeSpan.FromDays(1), r.AverageHoldingTime);        // both trips held a day
        Assert.Equal(2.5, r.AverageHoldingBars);                         // 3 and 2 bars
        Assert.Equal([1, 1, 1, -1, -1, 0, 0, 1], r.EquityCurve.Select(p => p.Position));

        double[] daily = [10020.0 / 10000 - 1, 9900.0 / 10020 - 1, 9945.0 / 9900 - 1];
        Assert.Equal([new DateOnly(2024, 7, 2), new DateOnly(2024, 7, 3), new DateOnly(2024, 7, 4)], r.DailyReturns.Select(d => d.Day));
        Assert.Equal([10020.0, 9900.0, 9945.0], r.DailyReturns.Select(d => d.Equity));
        for (var i = 0; i < 3; i++) Assert.Equal(daily[i], r.DailyReturns[i].Return, 15);
        var mean = (daily[0] + daily[1] + daily[2]) / 3;
        var sampleStd = Math.Sqrt(((daily[0] - mean) * (daily[0] - mean) + (daily[1] - mean) * (daily[1] - mean) + (daily[2] - mean) * (daily[2] - mean)) / 2);
        Assert.Equal(mean / sampleStd * Math.Sqrt(252), r.Sharpe, 12);
    }

    [Fact]
    public void Nothing_decided_and_nothing_closed_give_zeros_and_an_undefined_profit_factor()
    {
        var empty = PerformanceReport.From([]);
        Assert.Equal((0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), (empty.Bars, empty.TotalTrades, empty.ClosedTrips, empty.WinRate, empty.Sharpe,
            empty.MaxDrawdown, empty.TotalPnl, empty.TotalReturn, empty.Exposure));
        Assert.Null(empty.ProfitFactor);
        Assert.Equal(PaperAccount.InitialEquity, empty.FinalEquity);
        Assert.Empty(empty.DailyReturns);

        // One open trip, one day: no closed trip, one daily return (Sharpe needs two).
        var open = PerformanceReport.From([Decided(Day(2), 0, 9990, (0, -1, 4000)), Decided(Day(2, 5), 1, 10_050)]);
        Assert.Equal((1, 0, 0.0, 0.0, 1.0), (open.TotalTrades, open.ClosedTrips, open.WinRate, open.Sharpe, open.Exposure));
        Assert.Null(open.ProfitFactor);
        Assert.Equal(9990.0 / 10_000 - 1, open.MaxDrawdown, 12);
        Assert.Equal(50, open.TotalPnl, 9);
    }

    [Fact]
    public void Only_winning_trips_leave_the_profit_factor_undefined_and_equal_daily_returns_a_zero_sharpe()
    {
        var r = PerformanceReport.From(
        [
            Decided(Day(2), 0, 10_000, (0, 1, 4000)),
            Decided(Day(3), 1, 10_100, (1, -1, 4100)),   // +100
            Decided(Day(4), 2, 10_201, (-1, 0, 4000)),   // +100
        ]);
        Assert.Equal((2, 1.0, 200.0, 0.0), (r.ClosedTrips, r.WinRate, r.GrossProfit, r.GrossLoss));
        Assert.Null(r.ProfitFactor);
        Assert.Equal(0, r.MaxDrawdown);

        // Two days with exactly the same return: no variation, Sharpe 0 rather than infinite.
        var flat = PerformanceReport.From([Decided(Day(2), 0, 10_000), Decided(Day(3), 1, 10_000)]);
        Assert.Equal(0, flat.Sharpe);
    }

    [Fact]
    public void Days_are_Bogota_dates_not_UTC_dates()
    {
        // 02:00 UTC on the 3rd is 21:00 on the 2nd in Bogota: the same trading day as the 13:00 UTC bar of the 2nd.
        var r = PerformanceReport.From([Decided(Day(2), 0, 10_010), Decided(new DateTime(2024, 7, 3, 2, 0, 0, DateTimeKind.Utc), 1, 10_020)]);
        var day = Assert.Single(r.DailyReturns);
        Assert.Equal((new DateOnly(2024, 7, 2), 10_020.0), (day.Day, day.Equity));
    }

    [Fact]
    public void The_tracker_fed_bar_by_bar_gives_the_report_of_the_events()
    {
        var tracker = new PerformanceTracker(capacity: Scenario.Length);
        foreach (var d in Scenario) tracker.Add(d.BarTime, d.Fill, d.EquityAfter);
        var a = tracker.Report();
        var b = PerformanceReport.From(Scenario);
        Assert.Equal(1, tracker.Position);
        Assert.Equal(b with { EquityCurve = a.EquityCurve, DailyReturns = a.DailyReturns, RoundTrips = a.RoundTrips, Fills = a.Fills }, a);
        Assert.Equal(b.EquityCurve, a.EquityCurve);
        Assert.Equal(b.DailyReturns, a.DailyReturns);
        Assert.Equal(b.RoundTrips, a.RoundTrips);
    }

    /// <summary>Decisions made by the domain itself (ModelState, RiskManager, PaperAccount): the closed
    /// trips' PnL is the account's realised PnL, the final equity and the trade count are the account's.</summary>
    [Fact]
    public void Over_the_domains_own_decisions_the_trips_add_up_to_the_paper_account()
    {
        var rules = new DecisionRules(new RiskLimits { CooldownBars = 0, MaxTradesPerDay = 100 }, new FillCosts(2, 1), TimeSpan.FromDays(7));
        var state = ModelState.Start(Symbol);
        var events = new List<ModelDecided>();
        var obs = new float[FeatureNames.Count];
        var actions = new[] { TradeAction.Long, TradeAction.Hold, TradeAction.Short, TradeAction.Short, TradeAction.Long, TradeAction.Hold, TradeAction.Short };
        var random = new Random(7);
        var close = 4000.0;
        int[] days = [2, 3, 8];   // Tue 2, Wed 3, Mon 8 July 2024
        for (var i = 0; i < 60; i++)
        {
            var bar = Day(days[i / 20], (i % 20) * 5);
            close += random.Next(-20, 21);
            var raw = new double?[FeatureNames.Count];
            for (var k = 0; k < raw.Length; k++) raw[k] = 0.1;
            var snapshot = new FeatureSnapshot(Symbol, bar, raw, close, TradingSession.BogotaDate(bar));
            state.Observe(snapshot, NormStats.Identity, obs);
            var decided = state.Decide(snapshot, obs, actions[i % actions.Length], 0.6, rules, killSwitch: false, latencyMs: 0);
            events.Add(decided);
            state = state.Apply(decided);
        }

        var r = PerformanceReport.From(events);
        Assert.True(r.TotalTrades > 10);
        Assert.Equal(state.Account.Trades, r.TotalTrades);
        Assert.Equal(state.Account.Equity, r.FinalEquity);
        Assert.Equal(state.Account.Position, r.EquityCurve[^1].Position);
        Assert.Equal(state.Account.Realised, r.RoundTrips.Sum(t => t.Pnl), 9);
        Assert.Equal(3, r.DailyReturns.Count);
    }
}
