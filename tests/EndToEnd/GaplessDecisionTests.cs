using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Models;
using Cop.Trading.Features;
using Cop.Host.Commands;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Servers;
using Cop.Persistence.Stores;
using Cop.Streams.Notifications;
using Cop.Streams.Decisions;
using Cop.Tests.Actors;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>A model's decisions are a gapless, in-order sequence of its symbol's feature rows, whatever
/// the pipeline gave up on: issue 12 item 2.</summary>
[Collection(EndToEndCollection.Name)]
public class GaplessDecisionTests(ITestOutputHelper output)
{
    private const string Second = "second_model";

    /// <summary>Per model and bar, in order: action, verdict, observation hash and fill.</summary>
    internal const string Decisions = """
        SELECT string_agg(concat_ws(' ', i.model_id, i.bar_time, i.action, i.risk_verdict, i.observation_hash, t.side, t.price), ';' ORDER BY i.model_id, i.bar_time)
        FROM trading.model_inferences i LEFT JOIN trading.trades t ON t.id = i.trade_id
        """;

    /// <summary>Feature rows from <c>@from</c> on without exactly one decision of each deployed model.</summary>
    internal const string NotDecidedOnce = """
        SELECT count(*) FROM inference_features_5m f CROSS JOIN (SELECT model_id FROM model_registry WHERE status = 'deployed') m
        WHERE f.time >= @from AND (SELECT count(*) FROM trading.model_inferences i WHERE i.model_id = m.model_id AND i.bar_time = f.time) <> 1
        """;

    /// <summary>Dead letters called RESOLVED whose decision is not stored.</summary>
    internal const string ResolvedUndecided = """
        SELECT count(*) FROM system.dead_letter_queue d WHERE d.status = 'RESOLVED' AND NOT EXISTS (
            SELECT 1 FROM trading.model_inferences i WHERE i.model_id = d.payload->>'model' AND i.bar_time = d.event_timestamp)
        """;

    /// <summary>Holds every read of one bar's features until released: the moment to take the journal away.</summary>
    private sealed class GatedFeatures(IFeatureSource inner, DateTime gated) : IFeatureSource
    {
        public readonly TaskCompletionSource Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
        {
            if (barTime == gated)
            {
                Entered.TrySetResult();
                await Release.Task;
            }
            return await inner.ReadAsync(symbol, barTime, ct);
        }
    }

    /// <summary>One bar's stored features are unusable (a row the policy cannot take): a poison bar.</summary>
    private sealed class PoisonFeatures(IFeatureSource inner, DateTime poison) : IFeatureSource
    {
        public async Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
        {
            var s = await inner.ReadAsync(symbol, barTime, ct);
            return s is not null && barTime == poison ? s with { Raw = s.Raw[..3] } : s;
        }
    }

    private static IEnumerable<FeaturesWritten> Events(IEnumerable<Bar> bars) =>
        bars.Select(b => new FeaturesWritten("USD/COP", b.Time, "cop-features/1", true, null, EventOrigin.Notify));

    private static async Task<DeployedModelTests.Market> MarketAsync(int bars)
    {
        var m = await DeployedModelTests.Market.CreateAsync(bars);
        await m.Registry.RegisterAsync(m.Baseline with { ModelId = Second, Status = "deployed" });
        return m;
    }

    /// <summary>The same bars through the same pipeline on a fresh database that nothing disturbs.</summary>
    private static async Task<string> UndisturbedAsync(int size, IReadOnlyList<Bar> bars)
    {
        await using var m = await MarketAsync(size);
        using var system = DeployedModelTests.NewSystem(m.Cs);
        var models = DeployedModelTests.Supervisor(system, m, new DecisionStore(m.Db), sequence: new FeatureReader(m.Db));
        await DeployedModelTests.WaitForModels(models, 2);
        await Source.From(Events(bars)).Via(DecisionPipeline.Decide(models, new DeadLetterStore(m.Db), TimeSpan.FromSeconds(5),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, inFlight: 8)).RunWith(Sink.Ignore<FeaturesWritten>(), system.Materializer());
        await Eventually.Read(() => Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences"), n => n == 2L * bars.Count, TimeSpan.FromSeconds(60), $"{2L * bars.Count} undisturbed decisions");
        return await Sql.ScalarAsync<string>(m.Cs, Decisions);
    }

    [Fact]
    public async Task Models_kept_down_past_retry_for_while_later_bars_are_ready_still_decide_every_row_once_as_if_never_down()
    {
        const int size = 400;
        await using var m = await MarketAsync(size);
        var bars = m.Bars.Skip(60).ToArray();   // warm features
        var gated = new GatedFeatures(new FeatureReader(m.Db), bars[40].Time);
        // The models' journal on its own durable cluster, so it can be taken away while the rest stays.
        var dir = Path.Combine(Path.GetTempPath(), $"cop-journal-{Guid.NewGuid():N}");
        await using var journal = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dir, Durable = true });
        try
        {
            using var system = Sql.JournaledSystem(journal.ConnectionString, "gapless");
            var models = DeployedModelTests.Supervisor(system, m, new DecisionStore(m.Db), features: gated, sequence: new FeatureReader(m.Db));
            await DeployedModelTests.WaitForModels(models, 2);
            var dlq = new DeadLetterStore(m.Db);
            var log = new TestLogger(output);
            var retryFor = TimeSpan.FromMilliseconds(500);
            var retrying = new DecisionRetryState();
            var run = Source.From(Events(bars)).Via(DecisionPipeline.Decide(models, dlq, TimeSpan.FromSeconds(5), log, inFlight: 8, retryFor: retryFor, retrying: retrying))
                .RunWith(Sink.Seq<FeaturesWritten>(), system.Materializer());

            // The interleaving that lost bars: bar 40 decided, its journal write fails, the models stay
            // down past retry-for, the pipeline gives the bar up and later bars are ready when they return.
            await gated.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await journal.StopAsync("immediate");
            var down = Stopwatch.StartNew();
            gated.Release.SetResult();
            // What /health shows meanwhile: the bar asked again, its attempt, since when; and the metric.
            var shown = await Eventually.Read(() => Task.FromResult(retrying.Current), c => c is { Attempt: >= 1 }, TimeSpan.FromSeconds(60), "the bar being retried");
            Assert.True(shown!.Bar >= bars[0].Time && shown.Bar <= bars[40].Time && shown.Failed.Count > 0, shown.ToString());
            Assert.True(Cop.Actors.Telemetry.CopMetrics.DecisionRetries.Value > 0);
            await Eventually.Read(() => dlq.ListAsync(), l => l.Count > 0, TimeSpan.FromSeconds(60), "dead letters while the journal is down");
            Assert.True(down.Elapsed > retryFor);
            await journal.RestartAsync();
            var back = Stopwatch.StartNew();
            var before = await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences");
            await Eventually.Read(() => Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences"), n => n > before, TimeSpan.FromSeconds(120), "a decision after the journal came back");
            output.WriteLine($"journal down {down.Elapsed.TotalSeconds:F1} s; first decision {back.Elapsed.TotalSeconds:F1} s after it was back; " +
                             $"{(await dlq.ListAsync()).Count} dead letters");

            Assert.Equal(bars.Length, (await run.WaitAsync(TimeSpan.FromSeconds(120))).Count);
            Assert.Null(retrying.Current);
            await Eventually.Read(() => Sql.ScalarAsync<long>(m.Cs, NotDecidedOnce, ("from", bars[0].Time)), n => n == 0, TimeSpan.FromSeconds(60),
                "every feature row decided exactly once by each model");
            output.WriteLine($"every row decided {back.Elapsed.TotalSeconds:F1} s after the journal was back");

            // The retrier resolves the dead letters, each only with its decision stored.
            var retrier = new DeadLetterRetrier(dlq, models, TimeSpan.FromSeconds(5), new DecisionStore(m.Db));
            var outcomes = await retrier.RetryDueAsync(DateTime.UtcNow.AddMinutes(2));
            Assert.NotEmpty(outcomes);
            Assert.All(outcomes, o => Assert.Equal("RESOLVED", o.Status));
            Assert.Equal(0L, await Sql.ScalarAsync<long>(m.Cs, ResolvedUndecided));
            Assert.Equal(await UndisturbedAsync(size, bars), await Sql.ScalarAsync<string>(m.Cs, Decisions));
        }
        finally
        {
            await journal.StopAsync();
            try { Directory.Delete(dir, true); } catch (Exception) { }
        }
    }

    [Fact]
    public async Task A_poison_bar_holds_its_model_until_cop_dlq_skip_records_who_when_why_and_lets_later_bars_go()
    {
        await using var m = await MarketAsync(140);
        var bars = m.Bars.Skip(60).ToArray();
        var poison = bars[30].Time;
        using var system = DeployedModelTests.NewSystem(m.Cs);
        var settings = new ModelSettings
        {
            Risk = new Cop.Trading.Decisions.RiskLimits { CooldownBars = 1, MaxTradesPerDay = 100, MaxDrawdown = 0.5 },
            PoisonRecheck = TimeSpan.FromMilliseconds(200),
        };
        var models = DeployedModelTests.Supervisor(system, m, new DecisionStore(m.Db), settings, new PoisonFeatures(new FeatureReader(m.Db), poison), new FeatureReader(m.Db));
        await DeployedModelTests.WaitForModels(models, 2);
        var dlq = new DeadLetterStore(m.Db);
        var passed = await Source.From(Events(bars)).Via(DecisionPipeline.Decide(models, dlq, TimeSpan.FromSeconds(5), new TestLogger(output),
            inFlight: 8, retryFor: TimeSpan.FromMilliseconds(200))).RunWith(Sink.Seq<FeaturesWritten>(), system.Materializer());
        Assert.Equal(bars.Length, passed.Count);

        // Held: nothing from the poison bar on is decided, by either model, however often asked.
        const string decidedFrom = "SELECT count(*) FROM trading.model_inferences WHERE bar_time >= @t";
        Assert.Equal(0L, await Sql.ScalarAsync<long>(m.Cs, decidedFrom, ("t", poison)));
        Assert.Equal(60L, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences"));
        var letter = (await dlq.ListAsync()).Single(l => l.EventId == DecisionPipeline.EventId(BaselinePolicy.ModelId, "USD/COP", poison));
        Assert.Contains("poison bar", letter.Error);
        var retrier = new DeadLetterRetrier(dlq, models, TimeSpan.FromSeconds(5), new DecisionStore(m.Db));
        Assert.DoesNotContain(await retrier.RetryDueAsync(DateTime.UtcNow.AddMinutes(2)), o => o.Status == "RESOLVED");
        Assert.Equal(0L, await Sql.ScalarAsync<long>(m.Cs, decidedFrom, ("t", poison)));

        // The operator skips it for the baseline, through the CLI: recorded, and only that model goes on.
        var cop = CopSettings.From(CopSettings.WithEnvironment(ShippedConfig.Hocon(), n => n == "COP_DATABASE_URL" ? m.Cs : null));
        Assert.Equal(0, await DeadLetterCommand.SkipAsync(cop, letter.Id, "row built from a bad feed print; checked by hand", "ops-ana"));
        Assert.Equal("ops-ana|row built from a bad feed print; checked by hand|SKIPPED", await Sql.ScalarAsync<string>(m.Cs, """
            SELECT s.skipped_by || '|' || s.reason || '|' || d.status FROM trading.decision_skips s JOIN system.dead_letter_queue d ON d.id = s.dead_letter_id
            WHERE s.model_id = @m AND s.bar_time = @t AND s.skipped_at > now() - interval '1 minute'
            """, ("m", BaselinePolicy.ModelId), ("t", poison)));
        await Assert.ThrowsAsync<ArgumentException>(() => DeadLetterCommand.SkipAsync(cop, letter.Id, " ", null));   // a skip says why

        // No new bar comes: the held model finds the skip itself and decides every later row.
        const string decidedBy = "SELECT count(*) FROM trading.model_inferences WHERE model_id = @m AND bar_time > @t";
        await Eventually.Read(() => Sql.ScalarAsync<long>(m.Cs, decidedBy, ("m", BaselinePolicy.ModelId), ("t", poison)), n => n == bars.Length - 31,
            TimeSpan.FromSeconds(30), "the baseline deciding every bar after the skipped one");
        Assert.Equal(0L, await Sql.ScalarAsync<long>(m.Cs, decidedBy, ("m", Second), ("t", poison)));   // still held
        Assert.Equal(0L, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences WHERE bar_time = @t", ("t", poison)));
        // The later bars' dead letters are resolved now that their decisions are stored; the second model's are not.
        await retrier.RetryDueAsync(DateTime.UtcNow.AddMinutes(10));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(m.Cs, ResolvedUndecided));
        Assert.Contains(await dlq.ListAsync(), l => l.Status == "RESOLVED" && l.EventId.Contains(BaselinePolicy.ModelId));

        // The skip is journaled: after a restart the baseline is still past the bar.
        var path = $"/user/*/{BaselinePolicy.ModelId}/model";
        var model = await system.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(5));
        model.Tell(Kill.Instance);
        await Eventually.Read(async () => await system.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(5)), r => !r.Equals(model), TimeSpan.FromSeconds(30), "the restarted model");
        await Eventually.Read(async () => (await models.Ask<DeployedModelSupervisor.BarDecisions>(
                new DeployedModelSupervisor.DecideBar("USD/COP", poison, null, TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10))).Decided.Count(d => d.Duplicate),
            n => n == 1, TimeSpan.FromSeconds(30), "the baseline answering the skipped bar as done");
    }
}
