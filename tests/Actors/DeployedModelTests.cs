using Cop.Host.Application;
using Akka.Actor;
using Akka.Configuration;
using Cop.Actors.Models;
using Cop.Actors.Serialization;
using Cop.Host.Commands;
using Cop.Persistence.Stores;
using Cop.Trading.Tests;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Cop.Trading.Decisions;
using Cop.Trading.Features;
using Npgsql;

namespace Cop.Tests.Actors;

/// <summary>DeployedModel actors on a real PostgreSQL (journal, registry, decision tables).</summary>
[Collection(ActorsCollection.Name)]
public class DeployedModelTests
{
    private const string Symbol = "USD/COP";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>A test database holding bars, their feature rows (with all seven macro series
    /// published daily, so the models are ready to trade, unless <c>macroStopsDaysBefore</c> ends
    /// the macro data that many days before the first bar) and the baseline model deployed.</summary>
    internal sealed class Market : IAsyncDisposable
    {
        public required string Cs;
        public required NpgsqlDataSource Db;
        public required Bar[] Bars;
        public required ModelRegistryStore Registry;
        public required ModelRecord Baseline;
        public ValueTask DisposeAsync() => Db.DisposeAsync();

        public static async Task<Market> CreateAsync(int bars, int? macroStopsDaysBefore = null)
        {
            var cs = await SharedPostgres.NewDatabaseAsync("models");
            var db = NpgsqlDataSource.Create(cs);
            var series = ReferenceIndicators.RandomBars(bars, seed: 11);
            await Sql.InsertBarsAsync(cs, series, Symbol);
            var start = TradingSession.BogotaDate(series[0].Time).AddDays(-90);
            var days = Enumerable.Range(0, macroStopsDaysBefore is { } stop ? 90 - stop : 200).Select(i => start.AddDays(i)).ToList();
            var macro = new MacroFeatures(new Dictionary<string, IEnumerable<MacroObservation>>
            {
                [MacroColumns.Dxy] = days.Select((d, i) => MacroObservation.Published(d, 1, 100 + Math.Sin(i) * 2)),
                [MacroColumns.Vix] = days.Select((d, i) => MacroObservation.Published(d, 1, 18 + Math.Cos(i))),
                [MacroColumns.Embi] = days.Select((d, i) => MacroObservation.Published(d, 1, 250 + i % 7)),
                [MacroColumns.Brent] = days.Select((d, i) => MacroObservation.Published(d, 1, 80 + Math.Sin(i / 3.0))),
                [MacroColumns.Ust10y] = days.Select(d => MacroObservation.Published(d, 1, 4.3)),
                [MacroColumns.Ust2y] = days.Select(d => MacroObservation.Published(d, 1, 4.7)),
                [MacroColumns.UsdMxn] = days.Select((d, i) => MacroObservation.Published(d, 1, 17 + i % 5 * 0.1)),
            });
            var builder = new FeatureBuilder(Symbol, macro);
            await using (var features = new FeatureStore(cs)) await features.UpsertAsync([.. series.Select(b => builder.Next(b))]);
            var registry = new ModelRegistryStore(db);
            var baseline = await ModelRegistration.RegisterBaselineAsync(registry, Path.Combine(Path.GetTempPath(), $"cop-models-{Guid.NewGuid():N}"), deploy: true);
            return new Market { Cs = cs, Db = db, Bars = series, Registry = registry, Baseline = baseline };
        }
    }

    /// <summary>Fails the first N writes (a database hiccup between journal and rows).</summary>
    private sealed class FlakyLog(IDecisionLog inner, int failures) : IDecisionLog
    {
        private int _left = failures;
        public Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default) =>
            Interlocked.Decrement(ref _left) >= 0 ? throw new NpgsqlException("simulated: connection lost after the journal write") : inner.WriteAsync(decisions, ct);
        public Task<bool> ExistsAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default) => inner.ExistsAsync(modelId, symbol, barTime, ct);
    }

    /// <summary>Holds the first decision write after <see cref="Arm"/> until released: the moment
    /// between the journal write and the rows, where a kill does the most harm.</summary>
    private sealed class GatedLog(IDecisionLog inner) : IDecisionLog
    {
        private int _armed;
        public readonly TaskCompletionSource Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Arm() => Volatile.Write(ref _armed, 1);
        public Task<bool> ExistsAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default) => inner.ExistsAsync(modelId, symbol, barTime, ct);

        public async Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default)
        {
            if (decisions.Count > 0 && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                Entered.TrySetResult();
                await Release.Task;
            }
            await inner.WriteAsync(decisions, ct);
        }
    }

    internal static ActorSystem NewSystem(string cs) => Sql.JournaledSystem(cs, "models");

    /// <param name="sequence">Given: gapless decisions (as `cop run` wires them), with skips from the market's database.</param>
    internal static IActorRef Supervisor(ActorSystem system, Market m, IDecisionLog log, ModelSettings? settings = null, IFeatureSource? features = null,
        IBarSequence? sequence = null) =>
        system.ActorOf(DeployedModelSupervisor.Props(m.Registry,
            info => DeployedModel.Props(info.ModelId, () => PolicySession.Load(info.FilePath, info.FileSha256), NormStats.FromJson(info.NormStatsJson),
                settings ?? new ModelSettings { Risk = new RiskLimits { CooldownBars = 1, MaxTradesPerDay = 100, MaxDrawdown = 0.5 } },
                features ?? new FeatureReader(m.Db), log, info.KillSwitch, sequence, sequence is null ? null : new DecisionSkipStore(m.Db)),
            poll: TimeSpan.FromMilliseconds(200)));

    private static async Task<DeployedModelSupervisor.BarDecisions> Decide(IActorRef supervisor, DateTime bar) =>
        await supervisor.Ask<DeployedModelSupervisor.BarDecisions>(new DeployedModelSupervisor.DecideBar(Symbol, bar, null, TimeSpan.FromSeconds(5)), Timeout);

    internal static Task WaitForModels(IActorRef supervisor, int count) => Eventually.Until(async () =>
        (await supervisor.Ask<DeployedModelSupervisor.ModelList>(new DeployedModelSupervisor.ListModels(), Timeout)).Running.Count == count,
        Timeout, $"{count} models running");

    /// <summary>Completes when a warning containing <paramref name="text"/> is logged in <paramref name="system"/>
    /// (subscribed before it returns, so a warning caused right after is not missed).</summary>
    private static Task WarningLogged(ActorSystem system, string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = system.ActorOf(Props.Create(() => new WarningWatch(text, seen)));
        system.EventStream.Subscribe(watch, typeof(Akka.Event.Warning));
        return seen.Task;
    }

    private sealed class WarningWatch : ReceiveActor
    {
        public WarningWatch(string text, TaskCompletionSource seen) =>
            Receive<Akka.Event.Warning>(w => { if (w.Message?.ToString()?.Contains(text) == true) seen.TrySetResult(); });
    }

    [Fact]
    public async Task Every_bar_gets_one_decision_duplicates_change_nothing_and_a_crash_between_journal_and_rows_loses_and_doubles_nothing()
    {
        await using var m = await Market.CreateAsync(160);
        var bars = m.Bars.Skip(60).ToArray();   // warm features
        PaperAccount crashed, clean;
        using (var system = NewSystem(m.Cs))
        {
            var supervisor = Supervisor(system, m, new FlakyLog(new DecisionStore(m.Db), failures: 1));
            await WaitForModels(supervisor, 1);
            // The first bar's rows fail after its decision was journaled: the model restarts and re-logs.
            await Eventually.Until(async () => (await Decide(supervisor, bars[0].Time)).Decided.Count == 1, Timeout, "the model to recover and decide the first bar");
            foreach (var bar in bars.Skip(1)) Assert.Single((await Decide(supervisor, bar.Time)).Decided);
            var duplicate = await Decide(supervisor, bars[50].Time);
            Assert.True(Assert.Single(duplicate.Decided).Duplicate);
            crashed = (await Account(system, supervisor)).Account;
        }
        Assert.Equal((long)bars.Length, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM (SELECT bar_time FROM trading.model_inferences GROUP BY bar_time HAVING count(*) > 1) d"));
        var trades = await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.trades");
        Assert.True(trades > 0, "the baseline never traded over 100 bars");
        Assert.Equal(trades, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences WHERE trade_id IS NOT NULL"));

        // The same bars without the crash, under another id: the same account.
        await using var m2 = await Market.CreateAsync(160);
        using (var system = NewSystem(m2.Cs))
        {
            var supervisor = Supervisor(system, m2, new DecisionStore(m2.Db));
            await WaitForModels(supervisor, 1);
            foreach (var bar in bars) await Decide(supervisor, bar.Time);
            clean = (await Account(system, supervisor)).Account;
        }
        Assert.Equal(clean, crashed);

        // A restarted system recovers the account from the journal and answers old bars as duplicates.
        using (var system = NewSystem(m.Cs))
        {
            var supervisor = Supervisor(system, m, new DecisionStore(m.Db));
            await WaitForModels(supervisor, 1);
            Assert.True(Assert.Single((await Decide(supervisor, bars[^1].Time)).Decided).Duplicate);
            Assert.Equal(crashed, (await Account(system, supervisor)).Account);
        }
    }

    [Fact]
    public async Task A_model_killed_mid_bar_comes_back_with_one_decision_and_one_account()
    {
        await using var m = await Market.CreateAsync(160);
        var bars = m.Bars.Skip(60).Select(b => b.Time).ToArray();
        var gate = new GatedLog(new DecisionStore(m.Db));
        PaperAccount killed;
        using (var system = NewSystem(m.Cs))
        {
            var supervisor = Supervisor(system, m, gate);
            await WaitForModels(supervisor, 1);
            foreach (var bar in bars[..40]) Assert.Single((await Decide(supervisor, bar)).Decided);

            // Bar 40: journaled, its rows held; the model is killed (Kill, not an exception) right there.
            gate.Arm();
            var pending = Decide(supervisor, bars[40]);
            await gate.Entered.Task.WaitAsync(Timeout);
            var model = await system.ActorSelection(supervisor.Path / Uri.EscapeDataString(BaselinePolicy.ModelId) / "model").ResolveOne(Timeout);
            await WatchKill(system, model);
            Assert.Empty((await pending).Decided);   // the bar's ask fails: the pipeline would dead-letter it
            gate.Release.TrySetResult();             // the old incarnation's write lands late: harmless

            // The backoff supervisor restarts it from the journal; the bar again (a retry, a duplicate
            // notification) is already decided, and the rest of the bars go on.
            var again = await Eventually.Value(async () => await Decide(supervisor, bars[40]) is { Decided.Count: 1 } d ? d : null,
                Timeout, "the killed model to come back");
            Assert.True(again.Decided[0].Duplicate);
            foreach (var bar in bars[41..]) Assert.Single((await Decide(supervisor, bar)).Decided);
            killed = (await Account(system, supervisor)).Account;
        }
        Assert.Equal((long)bars.Length, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences WHERE bar_time = @t", ("t", bars[40])));
        Assert.Equal(await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences WHERE trade_id IS NOT NULL"),
            await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.trades"));

        // The same bars without the kill: the same account, the same rows.
        await using var clean = await Market.CreateAsync(160);
        using (var system = NewSystem(clean.Cs))
        {
            var supervisor = Supervisor(system, clean, new DecisionStore(clean.Db));
            await WaitForModels(supervisor, 1);
            foreach (var bar in bars) await Decide(supervisor, bar);
            Assert.Equal((await Account(system, supervisor)).Account, killed);
        }
        const string rows = """
            SELECT string_agg(concat_ws(' ', i.bar_time, i.action, i.risk_verdict, i.observation_hash, t.side, t.price), ';' ORDER BY i.bar_time)
            FROM trading.model_inferences i LEFT JOIN trading.trades t ON t.id = i.trade_id
            """;
        Assert.Equal(await Sql.ScalarAsync<string>(clean.Cs, rows), await Sql.ScalarAsync<string>(m.Cs, rows));
    }

    /// <summary>Kills the actor (as a chaos script would) and waits until it is gone.</summary>
    private static async Task WatchKill(ActorSystem system, IActorRef model)
    {
        var inbox = Inbox.Create(system);
        inbox.Watch(model);
        model.Tell(Kill.Instance);
        Assert.Equal(model, Assert.IsType<Terminated>(await inbox.ReceiveAsync(Timeout)).ActorRef);
    }

    [Fact]
    public async Task Bars_sent_as_one_group_are_decided_in_bar_order_exactly_as_one_at_a_time()
    {
        // What the decision pipeline does with a backlog: every bar sent before any is answered.
        await using var grouped = await Market.CreateAsync(160);
        await using var single = await Market.CreateAsync(160);
        var bars = grouped.Bars.Skip(60).Select(b => b.Time).ToArray();
        async Task<PaperAccount> Run(Market m, bool asGroup)
        {
            using var system = NewSystem(m.Cs);
            var supervisor = Supervisor(system, m, new DecisionStore(m.Db));
            await WaitForModels(supervisor, 1);
            if (asGroup)
            {
                var answers = await Task.WhenAll(bars.Select(b => Decide(supervisor, b)));
                Assert.All(answers, a => Assert.False(Assert.Single(a.Decided).Duplicate));
                Assert.Equal(bars, answers.Select(a => a.BarTime));
            }
            else foreach (var bar in bars) Assert.Single((await Decide(supervisor, bar)).Decided);
            return (await Account(system, supervisor)).Account;
        }
        Assert.Equal(await Run(single, asGroup: false), await Run(grouped, asGroup: true));
        const string decisions = """
            SELECT string_agg(concat_ws(' ', i.bar_time, i.action, i.risk_verdict, i.observation_hash, t.side, t.price), ';' ORDER BY i.bar_time)
            FROM trading.model_inferences i LEFT JOIN trading.trades t ON t.id = i.trade_id
            """;
        Assert.Equal(await Sql.ScalarAsync<string>(single.Cs, decisions), await Sql.ScalarAsync<string>(grouped.Cs, decisions));
        Assert.Equal((long)bars.Length, await Sql.ScalarAsync<long>(grouped.Cs, "SELECT count(*) FROM trading.model_inferences"));
    }

    [Theory]
    [InlineData("MaxTradesPerDay")]
    [InlineData("Cooldown")]
    [InlineData("MaxDrawdown")]
    [InlineData("MaxPosition")]
    public async Task Each_risk_rule_fires_on_the_real_path_and_holds_the_trades_to_it(string rule)
    {
        var loose = new RiskLimits { MaxTradesPerDay = 100, CooldownBars = 0, MaxDrawdown = 0.5, MaxPosition = 1 };
        var limits = rule switch
        {
            "MaxTradesPerDay" => loose with { MaxTradesPerDay = 1 },
            "Cooldown" => loose with { CooldownBars = 8 },
            "MaxDrawdown" => loose with { MaxDrawdown = 1e-6 },   // the first fill's costs are a drawdown
            _ => loose with { MaxPosition = 0 },                  // flat only
        };
        await using var m = await Market.CreateAsync(160);
        using (var system = NewSystem(m.Cs))
        {
            var supervisor = Supervisor(system, m, new DecisionStore(m.Db), new ModelSettings { Risk = limits });
            await WaitForModels(supervisor, 1);
            foreach (var bar in m.Bars.Skip(60)) Assert.Single((await Decide(supervisor, bar.Time)).Decided);
        }
        Assert.True(await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences WHERE risk_verdict = @r", ("r", rule)) > 0,
            $"{rule} never fired");
        // Opening trades (a position where there was none or the other one) obey the rule; reducing ones always pass.
        var opening = await Sql.ScalarAsync<string>(m.Cs, """
            SELECT coalesce(string_agg(i.bar_time::text || '|' || i.n, ',' ORDER BY i.bar_time), '')
            FROM (SELECT bar_time, row_number() OVER (ORDER BY bar_time) AS n FROM trading.model_inferences) i
            JOIN trading.trades t ON t.bar_time = i.bar_time AND t.position_after <> 0
            """);
        var opens = opening.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => x.Split('|')).Select(x => (Day: x[0][..10], Bar: long.Parse(x[1]))).ToList();
        switch (rule)
        {
            case "MaxTradesPerDay": Assert.All(opens.GroupBy(o => o.Day), d => Assert.Single(d)); break;
            case "Cooldown": Assert.All(opens.Zip(opens.Skip(1)), p => Assert.True(p.Item2.Bar - p.Item1.Bar > 8, $"{p.Item1} -> {p.Item2}")); break;
            case "MaxPosition": Assert.Empty(opens); break;
            // MaxDrawdown: equity at a new peak lets trading resume, so only the refused bars are checked below.
        }
        Assert.Equal(0L, await Sql.ScalarAsync<long>(m.Cs, """
            SELECT count(*) FROM trading.model_inferences i JOIN trading.trades t ON t.bar_time = i.bar_time WHERE i.risk_verdict = @r
            """, ("r", rule)));
    }

    [Fact]
    public async Task Stale_macro_data_stops_trading_with_a_MacroStale_verdict_logged_for_every_bar()
    {
        // Macro stops 10 days before the bars: the rows carry their macro date, the model trades nothing.
        await using var stale = await Market.CreateAsync(100, macroStopsDaysBefore: 10);
        var bars = stale.Bars.Skip(60).ToArray();
        var expectedAsOf = TradingSession.BogotaDate(stale.Bars[0].Time).AddDays(-11);   // the last value's date
        Assert.Equal(expectedAsOf.ToString("yyyy-MM-dd"), await Sql.ScalarAsync<string>(stale.Cs, "SELECT max(macro_as_of)::text FROM inference_features_5m"));
        using (var system = NewSystem(stale.Cs))
        {
            var supervisor = Supervisor(system, stale, new DecisionStore(stale.Db));
            await WaitForModels(supervisor, 1);
            foreach (var bar in bars)
            {
                var d = Assert.Single((await Decide(supervisor, bar.Time)).Decided);
                Assert.True(d.Verdict is RiskVerdict.MacroStale or RiskVerdict.NotReady, $"{bar.Time:O}: {d.Verdict}");
            }
        }
        Assert.Equal(0L, await Sql.ScalarAsync<long>(stale.Cs, "SELECT count(*) FROM trading.trades"));
        Assert.True(await Sql.ScalarAsync<long>(stale.Cs, "SELECT count(*) FROM trading.model_inferences WHERE risk_verdict = 'MacroStale'") > 0);

        // The same bars with fresh macro data: session bars are ready, and the model trades.
        await using var fresh = await Market.CreateAsync(100);
        using (var system = NewSystem(fresh.Cs))
        {
            var supervisor = Supervisor(system, fresh, new DecisionStore(fresh.Db));
            await WaitForModels(supervisor, 1);
            foreach (var bar in bars) Assert.NotEqual(RiskVerdict.MacroStale, Assert.Single((await Decide(supervisor, bar.Time)).Decided).Verdict);
        }
        Assert.True(await Sql.ScalarAsync<long>(fresh.Cs, "SELECT count(*) FROM trading.trades") > 0);
    }

    private static async Task<DeployedModel.AccountState> Account(ActorSystem system, IActorRef supervisor)
    {
        var model = await system.ActorSelection(supervisor.Path / Uri.EscapeDataString(BaselinePolicy.ModelId) / "model").ResolveOne(Timeout);
        return await model.Ask<DeployedModel.AccountState>(new DeployedModel.GetAccount(), Timeout);
    }

    [Fact]
    public async Task The_kill_switch_turns_at_run_time_and_a_corrupt_model_is_refused_and_recorded()
    {
        await using var m = await Market.CreateAsync(120);
        var bars = m.Bars.Skip(60).ToArray();
        using var system = NewSystem(m.Cs);
        var supervisor = Supervisor(system, m, new DecisionStore(m.Db));
        await WaitForModels(supervisor, 1);
        await Decide(supervisor, bars[0].Time);

        // The supervisor reads the registry every 200 ms and tells the model, which says so.
        var on = WarningLogged(system, "kill switch ON");
        await m.Registry.SetKillSwitchAsync(BaselinePolicy.ModelId, true);
        await on.WaitAsync(Timeout);
        foreach (var bar in bars.Skip(1).Take(20))
        {
            var d = Assert.Single((await Decide(supervisor, bar.Time)).Decided);
            Assert.Equal((TradeAction.Hold, RiskVerdict.KillSwitch), (d.Action, d.Verdict));
        }
        Assert.Equal(20L, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences WHERE risk_verdict = 'KillSwitch' AND action = 'HOLD'"));
        var off = WarningLogged(system, "kill switch off");
        await m.Registry.SetKillSwitchAsync(BaselinePolicy.ModelId, false);
        await off.WaitAsync(Timeout);
        Assert.NotEqual(RiskVerdict.KillSwitch, Assert.Single((await Decide(supervisor, bars[21].Time)).Decided).Verdict);

        // A deployed model whose file is corrupt: refused, the reason in the registry, the others trade on.
        var corrupt = Path.Combine(Path.GetTempPath(), $"cop-corrupt-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(corrupt, [.. BaselinePolicy.OnnxBytes().Take(50)]);
        await m.Registry.RegisterAsync(m.Baseline with { ModelId = "corrupt_v1", FilePath = corrupt, FileSha256 = PolicySession.Sha256Of(corrupt), Status = "deployed" });
        var list = await Eventually.Value(async () => await supervisor.Ask<DeployedModelSupervisor.ModelList>(new DeployedModelSupervisor.ListModels(), Timeout)
            is { } l && l.Rejected.ContainsKey("corrupt_v1") ? l : null, Timeout, "the corrupt model to be refused");
        Assert.Equal([BaselinePolicy.ModelId], list.Running);
        Assert.Contains("not a loadable ONNX model", list.Rejected["corrupt_v1"]);
        Assert.Contains("not a loadable ONNX model", (await m.Registry.ListAsync()).Single(x => x.ModelId == "corrupt_v1").LastError);
        Assert.Single((await Decide(supervisor, bars[22].Time)).Decided);

        // Retired: stopped without a restart of anything else.
        await m.Registry.SetStatusAsync(BaselinePolicy.ModelId, "retired", "test");
        await WaitForModels(supervisor, 0);
        Assert.Empty((await Decide(supervisor, bars[23].Time)).Decided);
    }
}
