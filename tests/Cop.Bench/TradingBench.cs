using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Persistence.Macro;
using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Cop.Actors.Models;
using Cop.Host.Commands;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Streams.Macro;
using Cop.Trading;
using Cop.Trading.Decisions;
using Cop.Trading.Validation;
using Npgsql;
using StackExchange.Redis;

namespace Cop.Bench;

/// <summary>
/// The trading figures of `cop bench` (issue 5), on a fresh database with the first months of the
/// bundled bars: ONNX inference per observation, the online read (Redis vs PostgreSQL), bar commit
/// to decisions committed with two deployed models, and the decision throughput with and without
/// exactly-once (journal) side by side.
/// </summary>
public static class TradingBench
{
    public static async Task RunAsync(BackingServices services, CopSettings settings, string barFile, string macroFolder, bool quick,
        List<(string, string)> rows, List<(string, bool)> targets)
    {
        // 1. ONNX inference, one observation at a time.
        var modelDir = Path.Combine(Path.GetTempPath(), $"cop-bench-models-{Environment.ProcessId}");
        Directory.CreateDirectory(modelDir);
        var modelPath = Path.Combine(modelDir, "baseline.onnx");
        await File.WriteAllBytesAsync(modelPath, BaselinePolicy.OnnxBytes());
        using (var policy = PolicySession.Load(modelPath, null))
        {
            var rng = new Random(1);
            var obs = new float[15];
            var times = new List<double>();
            for (var i = 0; i < (quick ? 20_000 : 200_000); i++)
            {
                for (var k = 0; k < 15; k++) obs[k] = (float)(rng.NextDouble() * 4 - 2);
                var start = Stopwatch.GetTimestamp();
                policy.Decide(obs);
                if (i >= 10_000) times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
            var p99 = Stats.Percentile(times, .99);
            rows.Add(($"ONNX inference, one observation ({times.Count:N0} after warm-up): p50 / p99", $"{Stats.Percentile(times, .5):F1} / {p99:F1} us"));
            targets.Add(($"inference p99 <= 50 us per observation (measured {p99:F1} us)", p99 <= 50));
        }

        // A market: macro seeded, the first days of the bundled bars through the real path, two models.
        var cs = await services.CreateFreshDatabaseAsync("cop_bench_trading");
        await using var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFolderAsync(macroFolder);
        var registry = new ModelRegistryStore(db);
        var baseline = await ModelRegistration.RegisterBaselineAsync(registry, modelDir, deploy: true);
        await registry.RegisterAsync(baseline with { ModelId = "baseline_linear_v1_b", Status = "deployed" });
        var redis = await services.RedisAsync(settings);
        var online = redis is null ? null : new OnlineFeatureStore(redis);
        // The application as `cop run` composes it, watched through decorators on its ports.
        var observer = new PathObserver();
        await using var app = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = cs, Redis = redis, DecisionLog = observer.DecisionLog,
        }, "cop-bench-trading");
        var system = app.System;
        await app.Runtime.Trading!.WaitForModelsAsync(2, TimeSpan.FromSeconds(20));
        await using var bars = new BarStore(cs);
        var ingester = new BarIngester(bars, new QuarantineStore(db), settings.Validation, "bench");
        var days = quick ? 20 : 60;
        var report = await ingester.IngestFileAsync(barFile, DateTime.UtcNow, maxDays: days);
        var decided = 0L;
        for (var i = 0; i < 600 && decided < report.Inserted; i++)
        {
            await Task.Delay(100);
            decided = await Count(db, "SELECT count(*) FROM trading.model_inferences WHERE model_id = 'baseline_linear_v1_b'");
        }

        // Quiesce before timing: the replay's last writes flushed, a checkpoint taken (its I/O would
        // otherwise land in the percentiles), then a warm-up pass that is not counted.
        await Count(db, "SELECT count(*) FROM (SELECT pg_sleep(1)) s");
        try { await using var checkpoint = db.CreateCommand("CHECKPOINT"); await checkpoint.ExecuteNonQueryAsync(); }
        catch (PostgresException) { }   // not a superuser on a configured server: skip

        // 2. The online read, Redis against PostgreSQL, on the replayed bars.
        var reader = new FeatureReader(db);
        var sample = (await reader.ReadSinceAsync(DateTime.MinValue.ToUniversalTime())).TakeLast(2_000).ToList();
        foreach (var s in sample.Take(300))
        {
            await reader.ReadAsync(s.Symbol, s.BarTime);
            if (online is not null && await online.ReadAsync(s.Symbol, s.BarTime) is null) await online.WriteAsync([s]);
        }
        var pgTimes = new List<double>();
        var redisTimes = new List<double>();
        foreach (var s in sample)
        {
            var start = Stopwatch.GetTimestamp();
            await reader.ReadAsync(s.Symbol, s.BarTime);
            pgTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (online is null) continue;
            start = Stopwatch.GetTimestamp();
            if (await online.ReadAsync(s.Symbol, s.BarTime) is null) await online.WriteAsync([s]);   // TTLs may have expired
            else redisTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        rows.Add(($"online read of one bar's features ({sample.Count:N0} bars): PostgreSQL p50 / p99", $"{Stats.Percentile(pgTimes, .5):F3} / {Stats.Percentile(pgTimes, .99):F3} ms"));
        if (redisTimes.Count > 0)
        {
            var p99 = Stats.Percentile(redisTimes, .99);
            rows.Add(("  Redis (all three views) p50 / p99", $"{Stats.Percentile(redisTimes, .5):F3} / {p99:F3} ms"));
            targets.Add(($"online read p99 <= 0.5 ms from Redis (measured {p99:F3} ms)", p99 <= 0.5));
        }

        // 3. Live-like: one bar at a time, INSERT to both models' decisions committed. The target is
        // read off PostgreSQL's own commit timestamps (bar row -> feature row -> the later of the two
        // decision rows), which is exactly "bar commit -> decision committed"; the client's view
        // (INSERT sent, validation included -> both decisions acknowledged) is reported beside it.
        var last = sample[^1];
        var t = last.BarTime;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var (gen0, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var (cpu0, allocated0) = (Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes(true));
        var client = new List<double>();
        var timed = new List<DateTime>();
        const int warmUp = 30;   // JIT of the live path, not counted
        for (var i = 0; i < (quick ? 50 : 300) + warmUp; i++)
        {
            do t = t.AddMinutes(5); while (!TradingSession.IsSessionBar(t) || !MarketCalendar.IsTradingDay(TradingSession.BogotaDate(t)));
            var bothDecided = observer.DecisionsLogged("USD/COP", t, models: 2);
            var bar = new RawBar("USD/COP", new DateTimeOffset(t), last.Close, last.Close + 1, last.Close - 1, last.Close, 0, "bench", "bench", "bench");
            var start = Stopwatch.GetTimestamp();
            await ingester.IngestAsync([bar], t.AddMinutes(10));
            await bothDecided.WaitAsync(TimeSpan.FromSeconds(10));
            if (i < warmUp) continue;
            client.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            timed.Add(t);
        }
        var cpuPerBar = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds / (client.Count + warmUp);
        var kbPerBar = (GC.GetTotalAllocatedBytes(true) - allocated0) / 1024.0 / (client.Count + warmUp);
        var gc = $"{GC.CollectionCount(0) - gen0} / {GC.CollectionCount(2) - gen2}, {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F1} ms";
        var commits = await CommitLatenciesAsync(db, timed);
        var clientP99 = Stats.Percentile(client, .99);
        rows.Add(($"one bar at a time ({client.Count}), client: INSERT sent -> 2 models' decisions acknowledged, p50 / p90 / p99 / max",
            $"{Stats.Percentile(client, .5):F2} / {Stats.Percentile(client, .9):F2} / {clientP99:F2} / {client.Max():F2} ms"));
        if (commits is { } c)
        {
            var p99 = Stats.Percentile(c.ToDecisions, .99);
            rows.Add(("  by commit timestamps: bar committed -> both decisions committed, p50 / p90 / p99 / max",
                $"{Stats.Percentile(c.ToDecisions, .5):F2} / {Stats.Percentile(c.ToDecisions, .9):F2} / {p99:F2} / {c.ToDecisions.Max():F2} ms"));
            rows.Add(("    of which bar committed -> feature row committed, p50 / p99", $"{Stats.Percentile(c.ToFeatures, .5):F2} / {Stats.Percentile(c.ToFeatures, .99):F2} ms"));
            rows.Add(("    of which feature row committed -> both decisions committed, p50 / p99",
                $"{Stats.Percentile(c.FeaturesToDecisions, .5):F2} / {Stats.Percentile(c.FeaturesToDecisions, .99):F2} ms"));
            targets.Add(($"bar commit -> decision committed p99 <= 10 ms (measured {p99:F2} ms by commit timestamps; {clientP99:F2} ms INSERT sent -> acknowledged)", p99 <= 10));
        }
        else targets.Add(($"bar commit -> decision committed p99 <= 10 ms (measured {clientP99:F2} ms INSERT sent -> acknowledged; the server does not track commit timestamps)", clientP99 <= 10));
        rows.Add(("  host process per bar: CPU, allocated", $"{cpuPerBar:F0} us, {kbPerBar:F0} KB"));
        rows.Add(("  GC during these bars: gen0 / gen2 collections, total pause", gc));

        // 4. Exactly-once against the same path without the journal: decisions per second of a
        // backlog as the pipeline sends it (groups of the configured size; throughput is a backlog's
        // figure, a quiet stream's bars are timed in 3), and one bar per ask beside it for reference.
        // The two models take the bars in alternating chunks, each going first in turn, so neither
        // profits from the other having warmed PostgreSQL's cache for the same rows.
        var n = quick ? 1_000 : 3_000;
        var replay = (await reader.ReadSinceAsync(DateTime.MinValue.ToUniversalTime())).Take(n).Select(s => s.BarTime).ToList();
        var info = (await registry.DeployedAsync()).First();
        await using var modelsDb = NpgsqlDataSource.Create(ConnectionStrings.Pooled(cs, "cop-bench-models", settings.Trading.MaxConnections));   // as TradingWiring's
        // "Without": the same actor on the same system configuration with the journal in memory,
        // which is what the durable exactly-once record costs.
        await using var inMemory = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = cs, ActorFamilies = false, InMemoryJournal = true,
        }, "cop-bench-in-memory-journal");
        foreach (var inFlight in new[] { settings.Trading.DecisionsInFlight, 1 }.Distinct())
        {
            var withJournal = await StartModelAsync(system, info, modelsDb, settings.Trading.Models, $"eo_on_{inFlight}");
            var withoutJournal = await StartModelAsync(inMemory.System, info, modelsDb, settings.Trading.Models, $"eo_off_{inFlight}");
            var (timeWith, timeWithout) = (TimeSpan.Zero, TimeSpan.Zero);
            var chunks = replay.Chunk(250).ToList();
            for (var k = 0; k < chunks.Count; k++)
            {
                if (k % 2 == 0) { timeWith += await DecideAllAsync(withJournal, chunks[k], inFlight); timeWithout += await DecideAllAsync(withoutJournal, chunks[k], inFlight); }
                else { timeWithout += await DecideAllAsync(withoutJournal, chunks[k], inFlight); timeWith += await DecideAllAsync(withJournal, chunks[k], inFlight); }
            }
            await withJournal.GracefulStop(TimeSpan.FromSeconds(5));
            await withoutJournal.GracefulStop(TimeSpan.FromSeconds(5));
            var (with, without) = (replay.Count / timeWith.TotalSeconds, replay.Count / timeWithout.TotalSeconds);
            var configured = inFlight == settings.Trading.DecisionsInFlight;
            rows.Add(($"decisions/s, {replay.Count:N0} bars through one model in groups of {inFlight}{(configured ? " (configured)" : "")}: journal on PostgreSQL / in memory",
                $"{with:N0} / {without:N0} = {without / with:N2}x"));
            if (configured)
                targets.Add(($"exactly-once costs no more than 2x the throughput, groups of {inFlight} (configured) (measured {without / with:N2}x)", without / with <= 2));
        }
        try { Directory.Delete(modelDir, true); } catch (IOException) { }
    }

    private static async Task<IActorRef> StartModelAsync(ActorSystem system, DeployedModelInfo info, NpgsqlDataSource db, ModelSettings settings, string id)
    {
        var model = system.ActorOf(DeployedModel.Props(id, () => PolicySession.Load(info.FilePath, info.FileSha256), NormStats.FromJson(info.NormStatsJson),
            settings, new FeatureReader(db), new DecisionStore(db), killSwitch: false), id);
        await model.Ask<DeployedModel.AccountState>(new DeployedModel.GetAccount(), TimeSpan.FromSeconds(30));   // recovered and ready
        return model;
    }

    /// <summary>A backlog as the decision pipeline sends it: groups of <paramref name="inFlight"/> bars.</summary>
    private static async Task<TimeSpan> DecideAllAsync(IActorRef model, IEnumerable<DateTime> bars, int inFlight)
    {
        var clock = Stopwatch.StartNew();
        foreach (var group in bars.Chunk(inFlight))
            await Task.WhenAll(group.Select(bar => model.Ask<DeployedModel.BarDecided>(new DeployedModel.DecideBar("USD/COP", bar, null), TimeSpan.FromSeconds(30))));
        return clock.Elapsed;
    }

    private sealed record CommitLatencies(List<double> ToFeatures, List<double> FeaturesToDecisions, List<double> ToDecisions);

    /// <summary>Per bar, from pg_xact_commit_timestamp: bar row -> feature row -> the last decision row
    /// of the bar. Null when the server runs without track_commit_timestamp (a configured server).</summary>
    private static async Task<CommitLatencies?> CommitLatenciesAsync(NpgsqlDataSource db, IReadOnlyList<DateTime> bars)
    {
        await using (var on = db.CreateCommand("SELECT current_setting('track_commit_timestamp') = 'on'"))
            if (!(bool)(await on.ExecuteScalarAsync())!) return null;
        await using var cmd = db.CreateCommand("""
            SELECT extract(epoch FROM pg_xact_commit_timestamp(f.xmin) - pg_xact_commit_timestamp(b.xmin)) * 1000,
                   extract(epoch FROM (SELECT max(pg_xact_commit_timestamp(i.xmin)) FROM trading.model_inferences i
                                       WHERE i.symbol = b.symbol AND i.bar_time = b.time) - pg_xact_commit_timestamp(f.xmin)) * 1000
            FROM usdcop_m5_ohlcv b JOIN inference_features_5m f ON f.symbol = b.symbol AND f.time = b.time
            WHERE b.symbol = 'USD/COP' AND b.time = ANY(@t)
            """);
        cmd.Parameters.AddWithValue("t", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz, bars.ToArray());
        var result = new CommitLatencies([], [], []);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var (features, decisions) = ((double)r.GetDecimal(0), (double)r.GetDecimal(1));
            result.ToFeatures.Add(features);
            result.FeaturesToDecisions.Add(decisions);
            result.ToDecisions.Add(features + decisions);
        }
        return result.ToDecisions.Count == bars.Count ? result : throw new InvalidOperationException(
            $"commit timestamps found for {result.ToDecisions.Count} of {bars.Count} bars");
    }

    private static async Task<long> Count(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
