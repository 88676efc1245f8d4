using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Trading.Tests;

/// <summary>A deployed model's pure body: a bar and the policy's answer make the event, the event
/// makes the next state; a replay of the events is the state that made them.</summary>
public class ModelStateTests
{
    private const string Symbol = "USD/COP";
    private static readonly DateTime Bar = new(2024, 7, 2, 13, 5, 0, DateTimeKind.Utc);   // 08:05 Bogota, a Tuesday
    private static readonly DecisionRules Rules = new(new RiskLimits(), new FillCosts(SpreadBps: 2, SlippageBps: 1), TimeSpan.FromDays(7));

    private static FeatureSnapshot Snapshot(DateTime time, double close, bool macro = true, string symbol = Symbol)
    {
        var raw = new double?[FeatureNames.Count];
        for (var k = 0; k < raw.Length; k++) raw[k] = macro || k < FeatureNames.FirstMacro || k > FeatureNames.LastMacro ? 0.1 * (k + 1) : null;
        raw[FeatureNames.Position] = 0;   // as stored
        return new FeatureSnapshot(symbol, time, raw, close, TradingSession.BogotaDate(time));
    }

    private static (ModelDecided Decided, float[] Observation) Decide(ModelState state, FeatureSnapshot bar, TradeAction action, bool killSwitch = false)
    {
        var obs = new float[FeatureNames.Count];
        state.Observe(bar, NormStats.Identity, obs);
        return (state.Decide(bar, obs, action, 0.7, Rules, killSwitch, latencyMs: 1.5), obs);
    }

    [Fact]
    public void An_approved_change_fills_at_the_close_with_costs_and_the_event_says_so()
    {
        var state = ModelState.Start(Symbol);
        var (d, obs) = Decide(state, Snapshot(Bar, 4000), TradeAction.Long);
        Assert.Equal((RiskVerdict.Approved, TradeAction.Long, 0L, 0.7, 4000.0, 1.5), (d.Verdict, d.Action, d.BarIndex, d.Confidence, d.Close, d.LatencyMs));
        var fill = Assert.IsType<PaperFill>(d.Fill);
        Assert.Equal((0, 1, 4000 * (1 + 2.0 / 10_000)), (fill.From, fill.To, fill.Price));   // half the spread plus slippage: 2 bps
        Assert.Equal(PaperAccount.InitialEquity - fill.Cost, d.EquityAfter, 9);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(obs.AsSpan()))), d.ObservationHash);
        Assert.Equal(state, ModelState.Start(Symbol));   // deciding changes nothing: only Apply does
    }

    [Fact]
    public void The_observation_holds_the_models_own_position_not_the_stored_one()
    {
        var (first, _) = Decide(ModelState.Start(Symbol), Snapshot(Bar, 4000), TradeAction.Short);
        var state = ModelState.Start(Symbol).Apply(first);
        Assert.Equal(-1, state.Account.Position);
        var obs = new float[FeatureNames.Count];
        state.Observe(Snapshot(Bar.AddMinutes(5), 4001), NormStats.Identity, obs);
        Assert.Equal(-1f, obs[FeatureNames.Position]);
        Assert.Equal(0.1f, obs[0], 6);
    }

    [Fact]
    public void The_kill_switch_shows_hold_and_trades_nothing_and_stale_macro_inputs_refuse_the_trade()
    {
        var (killed, _) = Decide(ModelState.Start(Symbol), Snapshot(Bar, 4000), TradeAction.Long, killSwitch: true);
        Assert.Equal((RiskVerdict.KillSwitch, TradeAction.Hold, (PaperFill?)null), (killed.Verdict, killed.Action, killed.Fill));
        Assert.Equal(PaperAccount.InitialEquity, killed.EquityAfter);
        var (stale, _) = Decide(ModelState.Start(Symbol), Snapshot(Bar, 4000, macro: false), TradeAction.Long);
        Assert.Equal((RiskVerdict.MacroStale, (PaperFill?)null), (stale.Verdict, stale.Fill));
        var (closed, _) = Decide(ModelState.Start(Symbol), Snapshot(Bar.AddHours(-2), 4000), TradeAction.Long);   // 06:05 Bogota
        Assert.Equal(RiskVerdict.NotReady, closed.Verdict);
    }

    [Fact]
    public void Apply_moves_the_account_the_last_bar_and_the_counts_and_a_replay_is_the_same_state()
    {
        var live = ModelState.Start(Symbol);
        var events = new List<ModelDecided>();
        var actions = new[] { TradeAction.Long, TradeAction.Hold, TradeAction.Hold, TradeAction.Hold, TradeAction.Short, TradeAction.Hold };
        for (var i = 0; i < actions.Length; i++)
        {
            var bar = Snapshot(Bar.AddMinutes(5 * i), 4000 + 3 * i);
            var (d, _) = Decide(live, bar, actions[i]);
            events.Add(d);
            live = live.Apply(d);
            Assert.Equal((bar.BarTime, (long)i, i + 1L), (live.LastBar, live.BarIndex, live.Decisions));
            Assert.Equal(d.EquityAfter, live.Account.Equity, 9);
        }
        Assert.Equal(2, live.Account.Trades);                  // long, then (after the cooldown) short
        Assert.Equal(-1, live.Account.Position);
        Assert.Equal(live, events.Aggregate(ModelState.Start(Symbol), (s, e) => s.Apply(e)));
        Assert.True(live.HasDecided(Bar.AddMinutes(25)) && live.HasDecided(Bar));
        Assert.False(live.HasDecided(Bar.AddMinutes(30)));
    }

    [Fact]
    public void Only_the_models_own_symbol_moves_its_last_bar_and_a_skip_passes_a_bar_undecided()
    {
        var (own, _) = Decide(ModelState.Start(Symbol), Snapshot(Bar, 4000), TradeAction.Hold);
        var state = ModelState.Start(Symbol).Apply(own);
        // A decision journaled for another symbol (before symbols were checked) moves the account, not the last bar.
        var (other, _) = Decide(state, Snapshot(Bar.AddMinutes(10), 4000, symbol: "USD/MXN"), TradeAction.Hold);
        state = state.Apply(other);
        Assert.Equal((Bar, 1L, 2L), (state.LastBar, state.BarIndex, state.Decisions));
        var skipped = state.Apply(new BarSkipped(Symbol, Bar.AddMinutes(5), "ops-ana", Bar.AddHours(1), "bad print"));
        Assert.Equal(Bar.AddMinutes(5), skipped.LastBar);
        Assert.Equal((state.Account, state.BarIndex, state.Decisions), (skipped.Account, skipped.BarIndex, skipped.Decisions));
        Assert.Equal(state, state.Apply(new BarSkipped("USD/MXN", Bar.AddMinutes(5), "ops-ana", Bar.AddHours(1), "bad print")));
    }
}
