using Cop.Trading.Decisions;

namespace Cop.Trading.Tests;

/// <summary>A model's journal replayed (`cop replay`) and folded into days (the model-daily-pnl projection).</summary>
public class ModelHistoryTests
{
    private const string Symbol = "USD/COP";
    private static readonly DateTime Monday = new(2024, 7, 1, 13, 0, 0, DateTimeKind.Utc);   // 08:00 Bogota

    private static PaperFill Fill(DateTime bar, long index, int from, int to, double close) =>
        new(bar, index, from, to, close, close * (1 + Math.Sign(to - from) * 2.0 / 10_000), Math.Abs(close * 2.0 / 10_000) * Math.Abs(to - from));

    /// <summary>Three bars on Monday (buy, hold, sell) and two on Tuesday (hold, skip).</summary>
    private static List<object> Journal()
    {
        var tuesday = Monday.AddDays(1);
        var buy = Fill(Monday, 0, 0, 1, 4000);
        var sell = Fill(Monday.AddMinutes(10), 2, 1, 0, 4010);
        return
        [
            new ModelDecided(Symbol, Monday, 0, TradeAction.Long, 0.6, RiskVerdict.Approved, "h0", 4000, buy, 9999.2, 1),
            new ModelDecided(Symbol, Monday.AddMinutes(5), 1, TradeAction.Hold, 0.5, RiskVerdict.NoChange, "h1", 4005, null, 10_004.2, 1),
            new ModelDecided(Symbol, Monday.AddMinutes(10), 2, TradeAction.Short, 0.7, RiskVerdict.Approved, "h2", 4010, sell, 10_007.4, 1),
            new ModelDecided(Symbol, tuesday, 3, TradeAction.Hold, 0.5, RiskVerdict.MacroStale, "h3", 4020, null, 10_007.4, 1),
            new BarSkipped(Symbol, tuesday.AddMinutes(5), "ops", tuesday, "poison"),
        ];
    }

    [Fact]
    public void A_replay_is_the_live_fold_and_a_cut_stops_at_its_time()
    {
        var events = Journal();
        var live = ModelState.Start(Symbol);
        foreach (var e in events) live = e switch { ModelDecided d => live.Apply(d), BarSkipped s => live.Apply(s), _ => live };

        var all = ModelHistory.Replay(Symbol, events);
        Assert.Equal(live, all.State);
        Assert.Equal((4, 1), (all.Decisions.Count, all.Skips.Count));
        Assert.Equal(Monday.AddDays(1).AddMinutes(5), all.State.LastBar);

        var monday = ModelHistory.Replay(Symbol, events, Monday.AddMinutes(5));
        Assert.Equal((2, 0, 1, 1L), (monday.Decisions.Count, monday.Skips.Count, monday.State.Account.Position, monday.State.Account.Trades));
        Assert.Equal(Monday.AddMinutes(5), monday.State.LastBar);
        Assert.Empty(ModelHistory.Replay(Symbol, events, Monday.AddMinutes(-5)).Decisions);
    }

    [Fact]
    public void Days_add_up_and_each_opens_at_the_previous_close()
    {
        DailyPnl? day = null;
        var days = new List<DailyPnl>();
        foreach (var d in Journal().OfType<ModelDecided>())
        {
            day = DailyPnl.Next(day, "m", d);
            if (days.Count > 0 && days[^1].Day == day.Day) days[^1] = day; else days.Add(day);
        }
        Assert.Equal(2, days.Count);
        var (mon, tue) = (days[0], days[1]);
        Assert.Equal((3, 2, 2, 1, 1, 2.0), (mon.Decisions, mon.Approved, mon.Trades, mon.Buys, mon.Sells, mon.Volume));
        Assert.Equal((PaperAccount.InitialEquity, 10_007.4, 9999.2, 10_007.4), (mon.EquityOpen, mon.EquityClose, mon.EquityLow, mon.EquityHigh));
        Assert.Equal(10_007.4 - PaperAccount.InitialEquity, mon.Pnl, 9);
        Assert.Equal((mon.EquityClose, 1, 0, 0.0), (tue.EquityOpen, tue.Decisions, tue.Trades, tue.Pnl));
        Assert.Equal((Monday, Monday.AddMinutes(10)), (mon.FirstBar, mon.LastBar));
        // A decision of an earlier day than the latest one is a journal out of order: refused, never folded into the wrong day.
        Assert.Throws<InvalidOperationException>(() => DailyPnl.Next(tue, "m", (ModelDecided)Journal()[0]));
    }
}
