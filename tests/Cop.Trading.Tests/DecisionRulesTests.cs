using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Trading.Tests;

public class DecisionRulesTests
{
    [Fact]
    public void Normalisation_clips_treats_tiny_std_as_one_and_null_as_zero()
    {
        var stats = new NormStats([.. FeatureNames.Ordered.Select((_, i) => i switch
        {
            0 => new FeatureStat(1, 2),
            1 => new FeatureStat(0, 1e-13),
            _ => new FeatureStat(0, 1),
        })]);
        var raw = new double?[15];
        raw[0] = 5; raw[1] = 0.5; raw[2] = 100; raw[3] = null;
        var obs = new float[15];
        stats.Normalise(raw, obs);
        Assert.Equal(2f, obs[0]);      // (5 - 1) / 2
        Assert.Equal(0.5f, obs[1]);    // std < 1e-12 -> 1
        Assert.Equal(5f, obs[2]);      // clipped
        Assert.Equal(0f, obs[3]);      // NULL -> 0
        var back = NormStats.FromJson(stats.ToJson());
        Assert.Equal(stats.Hash, back.Hash);
        Assert.Contains("'log_ret_1h'", Assert.Throws<ArgumentException>(() => NormStats.FromJson("""{"log_ret_5m":{"mean":0,"std":1}}""")).Message);
        Assert.Contains("['log_ret_5m'].std", Assert.Throws<ArgumentException>(() => NormStats.FromJson("""{"log_ret_5m":{"mean":0}}""")).Message);
    }

    [Fact]
    public void Decide_is_argmax_with_softmax_confidence()
    {
        var (action, confidence) = Policy.Decide([0f, 2f, 1f]);
        Assert.Equal(TradeAction.Long, action);
        Assert.Equal(Math.Exp(2) / (1 + Math.Exp(2) + Math.Exp(1)), confidence, 12);
        Assert.Equal(0, Policy.TargetPosition(TradeAction.Hold, 0));
        Assert.Equal(-1, Policy.TargetPosition(TradeAction.Short, 1));
    }

    private static readonly RiskLimits Limits = new() { MaxDrawdown = 0.1, MaxTradesPerDay = 2, CooldownBars = 3, MaxPosition = 1 };

    [Fact]
    public void Each_risk_rule_fires()
    {
        var flat = PaperAccount.Empty;
        Assert.Equal(RiskVerdict.KillSwitch, RiskManager.Check(Limits, flat, 1, 10, killSwitch: true, Readiness.Ready));
        Assert.Equal(RiskVerdict.NotReady, RiskManager.Check(Limits, flat, 1, 10, false, Readiness.MarketClosed));
        Assert.Equal(RiskVerdict.MacroStale, RiskManager.Check(Limits, flat, 1, 10, false, Readiness.MacroStale));
        Assert.Equal(RiskVerdict.NoChange, RiskManager.Check(Limits, flat, 0, 10, false, Readiness.Ready));
        Assert.Equal(RiskVerdict.Approved, RiskManager.Check(Limits, flat, 1, 10, false, Readiness.Ready));
        Assert.Equal(RiskVerdict.MaxPosition, RiskManager.Check(Limits, flat, 2, 10, false, Readiness.Ready));

        var afterTrade = flat with { Position = 1, LastTradeBar = 10, TradesToday = 1 };
        Assert.Equal(RiskVerdict.Cooldown, RiskManager.Check(Limits, afterTrade, -1, 12, false, Readiness.Ready));
        Assert.Equal(RiskVerdict.Approved, RiskManager.Check(Limits, afterTrade, 0, 12, false, Readiness.Ready));   // reducing passes
        Assert.Equal(RiskVerdict.Approved, RiskManager.Check(Limits, afterTrade, -1, 14, false, Readiness.Ready));
        Assert.Equal(RiskVerdict.MaxTradesPerDay, RiskManager.Check(Limits, afterTrade with { TradesToday = 2 }, -1, 20, false, Readiness.Ready));

        var drawn = flat with { Equity = 8_900, PeakEquity = 10_000 };
        Assert.Equal(RiskVerdict.MaxDrawdown, RiskManager.Check(Limits, drawn, 1, 20, false, Readiness.Ready));
        Assert.Equal(RiskVerdict.Approved, RiskManager.Check(Limits, drawn with { Position = 1 }, 0, 20, false, Readiness.Ready));
    }

    [Fact]
    public void Readiness_asks_for_a_session_bar_on_a_trading_day_and_fresh_complete_macro_inputs()
    {
        var week = TimeSpan.FromDays(7);
        var raw = new double?[15];
        for (var k = 0; k < 15; k++) raw[k] = 0.1;
        var monday = new DateTime(2024, 7, 8, 13, 0, 0, DateTimeKind.Utc);          // 08:00 Bogota
        var friday = new DateOnly(2024, 7, 5);
        Assert.Equal(Readiness.Ready, MarketReadiness.Of(monday, raw, friday, week));
        Assert.Equal(Readiness.Ready, MarketReadiness.Of(monday, raw, new DateOnly(2024, 7, 1), week));      // exactly 7 days
        Assert.Equal(Readiness.MacroStale, MarketReadiness.Of(monday, raw, new DateOnly(2024, 6, 30), week)); // 8 days
        Assert.Equal(Readiness.MacroStale, MarketReadiness.Of(monday, raw, null, week));                    // a series has nothing yet
        Assert.Equal(Readiness.MarketClosed, MarketReadiness.Of(monday.AddHours(-1), raw, friday, week));   // 07:00 Bogota
        Assert.Equal(Readiness.MarketClosed, MarketReadiness.Of(new DateTime(2024, 7, 1, 13, 0, 0, DateTimeKind.Utc), raw, friday, week));   // a Colombian holiday
        for (var k = 6; k <= 12; k++)
        {
            var missing = (double?[])raw.Clone();
            missing[k] = null;
            Assert.Equal(Readiness.MacroStale, MarketReadiness.Of(monday, missing, friday, week));
        }
        raw[0] = null;   // a price feature still warming up is the model's business, not readiness
        Assert.Equal(Readiness.Ready, MarketReadiness.Of(monday, raw, friday, week));
    }

    [Fact]
    public void The_paper_trader_fills_at_the_close_with_costs_and_tracks_equity()
    {
        var costs = new FillCosts(SpreadBps: 2, SlippageBps: 1);   // 2 bps away from the close per side
        var day = new DateOnly(2024, 7, 2);
        var t = new DateTime(2024, 7, 2, 13, 0, 0, DateTimeKind.Utc);
        var account = PaperAccount.Empty.MarkToMarket(4000, day);
        var buy = account.Fill(1, t, 0, 4000, costs);
        Assert.Equal(4000 * 1.0002, buy.Price, 9);
        account = account.Apply(buy);
        Assert.Equal((1, 1, 1L), (account.Position, account.TradesToday, account.Trades));
        Assert.Equal(PaperAccount.InitialEquity - 0.8, account.Equity, 9);   // marked at the close: the cost is lost

        account = account.MarkToMarket(4010, day);
        Assert.Equal(PaperAccount.InitialEquity + 10 - 0.8, account.Equity, 9);
        var flip = account.Fill(-1, t.AddMinutes(20), 4, 4010, costs);
        Assert.Equal(4010 * 0.9998, flip.Price, 9);
        account = account.Apply(flip);
        Assert.Equal(-1, account.Position);
        // Realised (4010*0.9998 - 4000*1.0002) on the long, then the short opened 0.802 below the close.
        Assert.Equal(PaperAccount.InitialEquity + (4010 * 0.9998 - 4000 * 1.0002) - (4010 - 4010 * 0.9998), account.Equity, 9);
        Assert.Equal(0, account.MarkToMarket(4010, day.AddDays(1)).TradesToday);   // a new day
    }
}
