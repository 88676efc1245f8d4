using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Persistence.Macro;
using Cop.Actors.Models;
using Akka.Actor;
using Cop.Host.Commands;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Servers;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Streams.Macro;
using Cop.Streams.Decisions;
using Cop.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>The whole path on real PostgreSQL: bar INSERT -> NOTIFY -> features -> NOTIFY -> every deployed model.</summary>
[Collection(EndToEndCollection.Name)]
public class TradingPathTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_inserted_bar_gets_one_decision_per_deployed_model()
    {
        await using var path = await RunningPath.StartAsync(await SharedPostgres.NewDatabaseAsync("tradingpath"), ShippedConfig.Settings(),
            new TestLogger(output), alsoDeployed: "second_model");
        var cs = path.Cs;
        var inserted = await path.IngestAsync(maxDays: 8);

        var decisions = await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n >= 2L * inserted,
            TimeSpan.FromSeconds(60), $"{2L * inserted} decisions: each of the {inserted} bars by both models");
        Assert.True(inserted > 300);
        Assert.Equal(2L * inserted, decisions);
        Assert.Equal(inserted, await Sql.ScalarAsync<long>(cs, "SELECT count(DISTINCT bar_time) FROM trading.model_inferences WHERE model_id = 'second_model'"));
        // Duplicate notifications (a re-sent NOTIFY for bars already decided, twice): nothing changes.
        var trades = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.trades");
        for (var k = 0; k < 2; k++)
            await Sql.ExecAsync(cs, """
                SELECT pg_notify('new_features', json_build_object('symbol', symbol, 'time', time, 'builder_version', builder_version,
                       'has_all_features', true, 'inserted_at', clock_timestamp())::text)
                FROM (SELECT * FROM inference_features_5m ORDER BY time DESC LIMIT 50) f
                """);
        await Negative.For(TimeSpan.FromMilliseconds(1_500), "the re-sent NOTIFYs deciding or trading an already decided bar again");
        Assert.Equal(2L * inserted, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"));
        Assert.Equal(trades, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.trades"));
        // Both models are the same policy: the same decisions, bar for bar.
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, """
            SELECT count(*) FROM trading.model_inferences a JOIN trading.model_inferences b
              ON a.bar_time = b.bar_time AND a.model_id = 'baseline_linear_v1' AND b.model_id = 'second_model'
            WHERE a.action <> b.action OR a.risk_verdict <> b.risk_verdict
            """));
    }

    [Fact]
    public async Task Killed_supervisors_restart_in_place_and_every_later_bar_is_still_decided()
    {
        await using var path = await RunningPath.StartAsync(await SharedPostgres.NewDatabaseAsync("chaos"), ShippedConfig.Settings(), new TestLogger(output));
        var first = await path.IngestAsync(maxDays: 3);
        await DecidedAsync(path.Cs, first);

        // What a kill script does to the two top-level supervisors: Kill (Akka's default would stop them for good).
        foreach (var name in new[] { "/user/models", "/user/bar-series" })
            (await path.System.ActorSelection(name).ResolveOne(TimeSpan.FromSeconds(5))).Tell(Kill.Instance);
        Assert.Equal(1, await path.Trading.WaitForModelsAsync(1, TimeSpan.FromSeconds(20)));   // the same ref answers again

        var rest = await path.IngestAsync(maxDays: 6);
        Assert.True(rest > 100);
        await DecidedAsync(path.Cs, first + rest);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(path.Cs, "SELECT count(*) FROM (SELECT bar_time FROM trading.model_inferences GROUP BY bar_time HAVING count(*) > 1) d"));
    }

    [Fact]
    public async Task Models_killed_again_and_again_during_a_backlog_still_decide_every_bar_once_as_if_never_killed()
    {
        // A kill script's work: Kill the deployed model every 150 ms while it decides ~1,000 bars.
        var settings = ShippedConfig.Settings();
        var log = new TestLogger(output);
        await using var path = await RunningPath.StartAsync(await SharedPostgres.NewDatabaseAsync("killloop"), settings, log);
        var inserted = await path.IngestAsync(maxDays: 20);
        var kills = 0;
        var model = path.System.ActorSelection($"/user/models/{BaselinePolicy.ModelId}/model");
        while (kills < 10 && await Sql.ScalarAsync<long>(path.Cs, "SELECT count(*) FROM trading.model_inferences") < inserted)
        {
            model.Tell(Kill.Instance);
            kills++;
            await Task.Delay(150);   // pacing the chaos: a kill every 150 ms, not a wait for anything
        }
        output.WriteLine($"killed {kills} times");
        Assert.True(kills >= 3, $"the backlog was decided after {kills} kills: too fast to test");
        await DecidedAsync(path.Cs, inserted, TimeSpan.FromSeconds(60));
        Assert.Empty(await new DeadLetterStore(path.Db).ListAsync());
        Assert.Equal(await UndisturbedDecisionsAsync(settings, 20, inserted, log), await Sql.ScalarAsync<string>(path.Cs, Decisions));
    }

    /// <summary>A migrated cluster of its own, durable as in production: the tests' fsync-off clusters
    /// may lose the last commits in a crash, which no system built on top could make whole.</summary>
    private static async Task<(EmbeddedPostgres Pg, string Dir)> DurableClusterAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"cop-crash-{Guid.NewGuid():N}");
        var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dir, Durable = true });
        DatabaseMigrator.Apply(pg.ConnectionString);
        return (pg, dir);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_PostgreSQL_crash_loses_nothing_and_doubles_nothing(bool midFlight, bool longerThanRetries)
    {
        var (pg, dir) = await DurableClusterAsync();
        await using var _ = pg;
        try
        {
            var cs = pg.ConnectionString;
            var shipped = ShippedConfig.Settings();
            // longerThanRetries: the outage (3 s) outlasts cop.trading.retry-for, so bars are dead-lettered.
            var settings = longerThanRetries ? shipped with { Trading = shipped.Trading with { RetryFor = TimeSpan.FromMilliseconds(300) } } : shipped;
            var log = new TestLogger(output);
            var logged = new DecisionCount();
            await using var path = await RunningPath.StartAsync(cs, settings, log, logged.Counting);
            var inserted = await path.IngestAsync(maxDays: midFlight ? 20 : 3);
            if (midFlight)
            {
                // Crash while the models are still deciding the backlog (~1,000 bars; features built, decisions not all written).
                await Eventually.Completes(logged.Reached(20), TimeSpan.FromSeconds(60), "the first 20 decisions of the backlog logged");
                Assert.True(await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences") < inserted, "too late: all decided before the crash");
            }
            else await DecidedAsync(cs, inserted);

            await pg.StopAsync("immediate");
            await Task.Delay(longerThanRetries ? 3_000 : 2_000);   // the outage itself (the scenario, not a wait for anything)
            await pg.RestartAsync();

            await using var after = NpgsqlDataSource.Create(cs);   // the test's own pool died with the server
            inserted += await path.IngestAsync(maxDays: midFlight ? 25 : 6, after);
            if (longerThanRetries)
            {
                // Every bar is decided or has its dead letter (stored once PostgreSQL was back: the
                // graph waited for that instead of failing), once each, and the bars after the
                // outage are decided: the graph lives on.
                const string accounted = """
                    SELECT count(*) FROM inference_features_5m f
                    WHERE EXISTS (SELECT 1 FROM trading.model_inferences i WHERE i.bar_time = f.time)
                       OR EXISTS (SELECT 1 FROM system.dead_letter_queue d WHERE d.event_timestamp = f.time)
                    """;
                var seen = await Eventually.Read(() => Sql.ScalarAsync<long>(cs, accounted), n => n >= inserted, TimeSpan.FromSeconds(60),
                    $"each of the {inserted} bars decided or dead-lettered", every: TimeSpan.FromMilliseconds(200));
                Assert.Equal(inserted, seen);
                // Usually some bars met the outage in flight and were dead-lettered; on a loaded machine the
                // crash can land between groups, so their number is reported, not asserted.
                output.WriteLine($"dead-lettered during the outage: {(await new DeadLetterStore(after).ListAsync()).Count}");
                Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM (SELECT bar_time FROM trading.model_inferences GROUP BY bar_time HAVING count(*) > 1) d"));

                // The graph lives on: once the model answers again, new bars are decided as usual.
                var old = await Sql.ScalarAsync<DateTime>(cs, "SELECT max(bar_time) FROM trading.model_inferences");
                await Eventually.Until(async () => (await path.Trading.Models.Ask<DeployedModelSupervisor.BarDecisions>(
                        new DeployedModelSupervisor.DecideBar("USD/COP", old, null, TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10))).Decided.Count == 1,
                    TimeSpan.FromSeconds(30), "the model answering again after the outage");
                var decidedBefore = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences");
                var more = await path.IngestAsync(maxDays: 30, after);
                Assert.True(more > 50);
                await DecidedAsync(cs, decidedBefore + more);
                return;
            }
            // The outage is shorter than cop.trading.retry-for: the pipeline bridges it, in order, and
            // nothing needs the dead-letter queue.
            await DecidedAsync(cs, inserted, TimeSpan.FromSeconds(60));
            Assert.Empty(await new DeadLetterStore(after).ListAsync());
            Assert.Equal(inserted, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM inference_features_5m"));
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM (SELECT bar_time FROM trading.model_inferences GROUP BY bar_time HAVING count(*) > 1) d"));

            // The same bars on a database that never crashed: the same decisions and fills, bar for bar.
            Assert.Equal(await UndisturbedDecisionsAsync(settings, midFlight ? 25 : 6, inserted, log), await Sql.ScalarAsync<string>(cs, Decisions));
        }
        finally
        {
            await pg.StopAsync();
            try { Directory.Delete(dir, true); } catch (Exception) { }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_PostgreSQL_crash_twice_as_long_as_retry_for_mid_backlog_leaves_every_row_decided_once_as_if_it_never_happened(int run)
    {
        const int days = 60;   // ~3,200 bars, each decided by two models
        var (pg, dir) = await DurableClusterAsync();
        await using var _ = pg;
        try
        {
            var cs = pg.ConnectionString;
            var shipped = ShippedConfig.Settings();
            var retryFor = TimeSpan.FromSeconds(1);
            // Asks that fail fast, so the outage outlasts the pipeline's patience and bars are given up on.
            var settings = shipped with { Trading = shipped.Trading with { RetryFor = retryFor, DecisionTimeout = TimeSpan.FromSeconds(1) } };
            var log = new TestLogger(output);
            var logged = new DecisionCount();
            await using var path = await RunningPath.StartAsync(cs, settings, log, logged.Counting, "second_model");
            var inserted = await path.IngestAsync(maxDays: days);
            Assert.True(inserted > 2_500, $"{inserted} bars: not a backlog of thousands");
            // In the middle of the backlog: a quarter of the (model, row) decisions made.
            await Eventually.Completes(logged.Reached(inserted / 2), TimeSpan.FromSeconds(120), $"{inserted / 2} of the {2 * inserted} decisions logged");
            var decided = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences");
            Assert.True(decided >= inserted / 2 && decided < 2 * inserted, $"{decided} of {2 * inserted} decided at the crash: not mid-backlog");

            await pg.StopAsync("immediate");
            await Task.Delay(2 * retryFor + TimeSpan.FromSeconds(1));   // the outage itself, three times retry-for (the scenario, not a wait for anything)
            await pg.RestartAsync();
            var back = System.Diagnostics.Stopwatch.StartNew();
            await using var after = NpgsqlDataSource.Create(cs);   // the test's own pool died with the server
            const string count = "SELECT count(*) FROM trading.model_inferences";
            var atReturn = await Eventually.Read(() => Sql.ScalarAsync<long>(cs, count), _ => true, TimeSpan.FromSeconds(120), "PostgreSQL answering after its restart");
            var now = await Eventually.Read(() => Sql.ScalarAsync<long>(cs, count), n => n > atReturn, TimeSpan.FromSeconds(120),
                "a decision after PostgreSQL's return", every: TimeSpan.FromMilliseconds(50));
            var firstDecision = back.Elapsed;
            Assert.True(now > atReturn, "no decision within 120 s of PostgreSQL's return");

            var from = await Sql.ScalarAsync<DateTime>(cs, "SELECT min(time) FROM inference_features_5m");
            await Eventually.Read(async () => await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM inference_features_5m") == inserted
                    && await Sql.ScalarAsync<long>(cs, GaplessDecisionTests.NotDecidedOnce, ("from", from)) == 0, all => all, TimeSpan.FromSeconds(120),
                $"all {inserted} feature rows, each decided once by each model", every: TimeSpan.FromMilliseconds(200));
            var letters = await new DeadLetterStore(after).ListAsync();
            output.WriteLine($"run {run}: {inserted} bars, crash at {decided} of {2 * inserted} decisions, down {2 * retryFor + TimeSpan.FromSeconds(1)}; " +
                $"first new decision {firstDecision.TotalSeconds:F1} s after PostgreSQL was back, every row decided after {back.Elapsed.TotalSeconds:F1} s; " +
                $"{letters.Count} dead letters");
            Assert.Equal(inserted, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM inference_features_5m"));
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, GaplessDecisionTests.NotDecidedOnce, ("from", from)));

            var outcomes = await new DeadLetterRetrier(new DeadLetterStore(after), path.Trading.Models, TimeSpan.FromSeconds(5), new DecisionStore(after))
                .RetryDueAsync(DateTime.UtcNow.AddMinutes(2));
            Assert.All(outcomes, o => Assert.Equal("RESOLVED", o.Status));
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, GaplessDecisionTests.ResolvedUndecided));
            Assert.Equal(await UndisturbedAsync(settings, days, inserted, log, "second_model"), await Sql.ScalarAsync<string>(cs, GaplessDecisionTests.Decisions));
        }
        finally
        {
            await pg.StopAsync();
            try { Directory.Delete(dir, true); } catch (Exception) { }
        }
    }

    /// <summary>Per model and bar, as <see cref="GaplessDecisionTests.Decisions"/>, on a database nothing disturbs.</summary>
    private static async Task<string> UndisturbedAsync(CopSettings settings, int days, long bars, TestLogger log, params string[] alsoDeployed)
    {
        await using var path = await RunningPath.StartAsync(await SharedPostgres.NewDatabaseAsync("undisturbed"), settings, log, alsoDeployed);
        await path.IngestAsync(days);
        await DecidedAsync(path.Cs, bars * (1 + alsoDeployed.Length), TimeSpan.FromSeconds(120));
        return await Sql.ScalarAsync<string>(path.Cs, GaplessDecisionTests.Decisions);
    }

    /// <summary>Per bar, in order: action, verdict, observation hash and fill (what exactly-once must keep).</summary>
    private const string Decisions = """
        SELECT string_agg(concat_ws(' ', i.bar_time, i.action, i.risk_verdict, i.observation_hash, t.side, t.price), ';' ORDER BY i.bar_time)
        FROM trading.model_inferences i LEFT JOIN trading.trades t ON t.id = i.trade_id
        """;

    /// <summary>The same bars through the same path on a fresh database that nothing disturbs.</summary>
    private static async Task<string> UndisturbedDecisionsAsync(CopSettings settings, int days, long expected, TestLogger log)
    {
        await using var path = await RunningPath.StartAsync(await SharedPostgres.NewDatabaseAsync("undisturbed"), settings, log);
        await path.IngestAsync(days);
        await DecidedAsync(path.Cs, expected);
        return await Sql.ScalarAsync<string>(path.Cs, Decisions);
    }

    /// <summary>The whole path on one database: the 2020 macro seeded, the baseline deployed, the
    /// feature and trading graphs running; bars come from the bundled 2020 sample.</summary>
    private sealed class RunningPath : IAsyncDisposable
    {
        private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");
        public required string Cs { get; init; }
        public required CopSettings Settings { get; init; }
        public required NpgsqlDataSource Db { get; init; }
        public required CopApplication App { get; init; }
        public ActorSystem System => App.System;
        public FeatureWiring Features => App.Runtime.Features!;
        public TradingWiring Trading => App.Runtime.Trading!;

        /// <param name="alsoDeployed">Ids of further deployed copies of the baseline.</param>
        public static Task<RunningPath> StartAsync(string cs, CopSettings settings, TestLogger log, params string[] alsoDeployed) =>
            StartAsync(cs, settings, log, l => l, alsoDeployed);

        /// <param name="decisions">Decorates the models' decision log (to observe the path).</param>
        /// <param name="alsoDeployed">Ids of further deployed copies of the baseline.</param>
        public static async Task<RunningPath> StartAsync(string cs, CopSettings settings, TestLogger log, Func<IDecisionLog, IDecisionLog> decisions,
            params string[] alsoDeployed)
        {
            var db = NpgsqlDataSource.Create(cs);
            await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Path.Combine(Fixtures, "macro_indicators_daily_2019_2020.csv.gz")]);
            var registry = new ModelRegistryStore(db);
            var baseline = await ModelRegistration.RegisterBaselineAsync(registry, Path.Combine(Path.GetTempPath(), $"cop-models-{Guid.NewGuid():N}"), deploy: true);
            foreach (var id in alsoDeployed) await registry.RegisterAsync(baseline with { ModelId = id, Status = "deployed" });
            // The application as `cop run` composes it, without the macro schedule and the poller.
            var app = await CopApplication.StartAsync(new CopEnvironment { Settings = settings, ConnectionString = cs, Log = log, DecisionLog = decisions }, "path");
            Assert.Equal(1 + alsoDeployed.Length, await app.Runtime.Trading!.WaitForModelsAsync(1 + alsoDeployed.Length, TimeSpan.FromSeconds(20)));
            return new RunningPath { Cs = cs, Settings = settings, Db = db, App = app };
        }

        /// <summary>The sample's first <paramref name="maxDays"/> days; returns the bars newly stored.</summary>
        public async Task<long> IngestAsync(int maxDays, NpgsqlDataSource? db = null)
        {
            await using var bars = new BarStore(Cs);
            var ingester = new BarIngester(bars, new QuarantineStore(db ?? Db), Settings.Validation, "test");
            return (await ingester.IngestFileAsync(Path.Combine(Fixtures, "usdcop_m5_2020h1.csv.gz"), DateTime.UtcNow, maxDays: maxDays)).Inserted;
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            try { await Db.DisposeAsync(); } catch (Exception) { }   // its sockets may have died with the server
        }
    }

    private static async Task DecidedAsync(string cs, long expected, TimeSpan? within = null) =>
        Assert.Equal(expected, await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n >= expected,
            within ?? TimeSpan.FromSeconds(60), $"{expected} decisions"));

    /// <summary>Counts the decisions the models log: the moment to crash PostgreSQL mid-backlog, told by the
    /// path itself (a port decorator), not found by polling the table.</summary>
    private sealed class DecisionCount
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _logged, _awaited = long.MaxValue;

        public IDecisionLog Counting(IDecisionLog inner) => new Counted(inner, this);

        /// <summary>Completes once <paramref name="decisions"/> decisions are logged (at once if they are); one wait per count.</summary>
        public Task Reached(long decisions)
        {
            Interlocked.Exchange(ref _awaited, decisions);
            Check();
            return _reached.Task;
        }

        // Both sides check after their own write, so whichever comes second sees the other's.
        private void Check()
        {
            if (Interlocked.Read(ref _logged) >= Interlocked.Read(ref _awaited)) _reached.TrySetResult();
        }

        private sealed class Counted(IDecisionLog inner, DecisionCount count) : IDecisionLog
        {
            public async Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default)
            {
                await inner.WriteAsync(decisions, ct);
                Interlocked.Add(ref count._logged, decisions.Count);
                count.Check();
            }

            public Task<bool> ExistsAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default) =>
                inner.ExistsAsync(modelId, symbol, barTime, ct);
        }
    }
}
