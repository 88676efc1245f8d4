using System.Diagnostics;
using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Streams.Backtests;
using Cop.Streams.Ingestion;
using Cop.Trading;
using Cop.Trading.Features;
using Npgsql;

namespace Cop.Bench;

/// <summary>
/// Backtest throughput (issue 16) over the whole bundled history: the bars validated and stored
/// once, then loaded with the macro values into memory; each measured run is Backtester.RunAsync
/// with rebuilt features (FeatureBuilder over every bar, the observation, ONNX inference, risk,
/// fills, metrics and signature), for the fast loop and the actor mode, side by side, nothing
/// stored. The two must give the same signature. Then the whole `cop backtest` path on the
/// database (read the stored bars, rebuild, decide, store the row).
/// </summary>
public static class BacktestBench
{
    public static async Task RunAsync(BackingServices services, CopSettings settings, string barFile, string macroFolder, bool quick,
        List<(string, string)> rows, List<(string, bool)> targets)
    {
        var cs = await services.CreateFreshDatabaseAsync("cop_bench_backtest");
        await using var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFolderAsync(macroFolder);
        var registry = new ModelRegistryStore(db);
        var modelDir = Path.Combine(Path.GetTempPath(), $"cop-bench-backtest-{Environment.ProcessId}");
        var baseline = await ModelRegistration.RegisterBaselineAsync(registry, modelDir, deploy: false);
        await using (var barStore = new BarStore(cs))
            await new BarIngester(barStore, new QuarantineStore(db), settings.Validation, "bench").IngestFileAsync(barFile, DateTime.UtcNow, maxDays: quick ? 200 : null);

        // Everything the runs read, in memory: the runs measure the backtest, not PostgreSQL.
        var symbol = settings.Trading.Models.Symbol;
        IReadOnlyList<Bar> bars;
        IReadOnlyDictionary<string, IEnumerable<MacroObservation>> macro;
        await using (var store = new FeatureStore(cs))
        {
            bars = await store.LoadBarsAsync(symbol, null, DateTime.MaxValue, int.MaxValue);
            macro = (await store.LoadMacroAsync()).ToDictionary(kv => kv.Key, kv => (IEnumerable<MacroObservation>)kv.Value.ToList());
        }
        var (from, to) = (TradingSession.BogotaDate(bars[0].Time), TradingSession.BogotaDate(bars[^1].Time));
        var model = (await new BacktestStore(db).FindModelAsync(baseline.ModelId))!;
        var memory = new InMemory(model, bars, macro);
        var backtestSettings = BacktestService.Read(settings.Hocon);
        await using var app = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = cs, ActorFamilies = false, InMemoryJournal = true,
        }, "cop-bench-backtest");
        var backtester = new Backtester(memory, memory, settings.Trading.Models, backtestSettings, memory, app.System);
        var request = new BacktestRequest(model.ModelId, BacktestPeriod.Custom, from, to) { RebuildFeatures = true, Store = false };

        // Best and median of several runs: on a shared 2-core machine a run is slowed by whatever else runs.
        var medians = new Dictionary<BacktestMode, double>();
        async Task<(double BarsPerSecond, BacktestResult Result)> Measure(BacktestMode mode, int runs)
        {
            var rates = new List<double>();
            BacktestResult? last = null;
            for (var i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                last = await backtester.RunAsync(request with { Mode = mode });
                rates.Add(last.Report.Bars / clock.Elapsed.TotalSeconds);
            }
            medians[mode] = Stats.Percentile(rates, .5);
            return (rates.Max(), last!);
        }

        await Measure(BacktestMode.FastLoop, 1);   // warm-up (JIT, ONNX Runtime)
        var gen0 = GC.CollectionCount(0);
        var (fast, fastResult) = await Measure(BacktestMode.FastLoop, quick ? 2 : 10);
        var fastGcs = (GC.CollectionCount(0) - gen0) / (quick ? 2 : 10);
        await Measure(BacktestMode.Actor, 1);
        var (actor, actorResult) = await Measure(BacktestMode.Actor, quick ? 1 : 5);
        var agree = fastResult.Signature == actorResult.Signature && fastResult.Report.Bars == actorResult.Report.Bars;

        // Where a fast-loop bar's time goes: the feature rebuild alone, and the decisions alone.
        var rebuildClock = Stopwatch.StartNew();
        var rebuilt = Backtester.Rebuild(symbol, bars, new Cop.Trading.Features.MacroFeatures(macro), TradingSession.BogotaMidnightUtc(from), DateTime.MaxValue);
        var rebuildRate = rebuilt.Count / rebuildClock.Elapsed.TotalSeconds;
        var onlyDecide = new Backtester(memory.WithRows(rebuilt), memory, settings.Trading.Models, backtestSettings);
        var decideRate = 0.0;
        for (var i = 0; i < 5; i++)
        {
            var c = Stopwatch.StartNew();
            var r = await onlyDecide.RunAsync(request with { RebuildFeatures = false });
            decideRate = Math.Max(decideRate, r.Report.Bars / c.Elapsed.TotalSeconds);
        }

        // The whole command on the database: read the stored bars and macro, rebuild, decide, store.
        await using var service = new BacktestService(settings, cs);
        var commandClock = Stopwatch.StartNew();
        var stored = await service.Backtester.RunAsync(request with { Store = true });
        var command = commandClock.Elapsed;

        rows.Add(($"bars in the history ({from:yyyy-MM-dd} .. {to:yyyy-MM-dd}), trades of the baseline", $"{fastResult.Report.Bars:N0}, {fastResult.Report.TotalTrades:N0}"));
        rows.Add(("fast loop: features rebuilt + observation + ONNX + risk + fills + metrics (bars/s, best / median of 10)", $"{fast:N0} / {medians[BacktestMode.FastLoop]:N0}"));
        rows.Add(("actor mode (DeployedModel, in-memory journal), same work (bars/s, best / median of 5)", $"{actor:N0} / {medians[BacktestMode.Actor]:N0}"));
        rows.Add(("fast loop / actor (best runs; medians)", $"{fast / actor:F1}x; {medians[BacktestMode.FastLoop] / medians[BacktestMode.Actor]:F1}x"));
        rows.Add(("  of the fast loop: feature rebuild alone / decisions + metrics alone (bars/s)", $"{rebuildRate:N0} / {decideRate:N0}"));
        rows.Add(("  gen-0 collections per fast-loop run", $"{fastGcs}"));
        rows.Add(("fast loop and actor: same signature (every fill and equity point)", agree ? "yes" : "NO"));
        rows.Add(("`cop backtest --rebuild-features` on PostgreSQL, whole history: load + run + store (s)", $"{command.TotalSeconds:F2}"));
        rows.Add(("  its signature equals the in-memory runs'", stored.Signature == fastResult.Signature ? "yes" : "NO"));
        targets.Add(($"backtest fast loop >= 200,000 bars/s (measured {fast:N0})", fast >= 200_000));
        targets.Add(($"backtest actor mode within 10x of the fast loop (measured {fast / actor:F1}x)", fast / actor <= 10));
        targets.Add(("backtest fast loop and actor mode agree (signature)", agree && stored.Signature == fastResult.Signature));
        try { Directory.Delete(modelDir, true); } catch (IOException) { }
    }

    /// <summary>The bars, macro values and model in memory, behind the ports the backtester reads.</summary>
    private sealed class InMemory(BacktestModel model, IReadOnlyList<Bar> bars, IReadOnlyDictionary<string, IEnumerable<MacroObservation>> macro,
        IReadOnlyList<FeatureSnapshot>? rows = null) : IBacktestData, IBacktestResults, IBarSeriesStore
    {
        public InMemory WithRows(IReadOnlyList<FeatureSnapshot> r) => new(model, bars, macro, r);

        public Task<BacktestModel?> FindModelAsync(string modelId, CancellationToken ct = default) => Task.FromResult<BacktestModel?>(model);

        public Task<IReadOnlyList<FeatureSnapshot>> FeatureRowsAsync(string symbol, DateTime from, DateTime until, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<FeatureSnapshot>>(rows is null ? [] : [.. rows.Where(r => r.BarTime >= from && r.BarTime < until)]);

        public Task SaveAsync(BacktestResult result, CancellationToken ct = default) => Task.CompletedTask;

        public Task<IReadOnlyList<Bar>> LoadBarsAsync(string symbol, DateTime? after, DateTime upTo, int limit, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<Bar>>([.. bars.Where(b => (after is null || b.Time > after) && b.Time <= upTo).Take(limit)]);

        public Task<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>> LoadMacroAsync(CancellationToken ct = default, DateTime? changedSince = null) =>
            Task.FromResult(macro);

        public Task<int> UpsertAsync(IReadOnlyList<FeatureRow> rows, CancellationToken ct = default) => throw new NotSupportedException("a backtest writes no feature rows");
    }
}
