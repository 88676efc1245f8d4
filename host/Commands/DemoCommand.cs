using System.Diagnostics;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>
/// `cop demo`: on a fresh `cop_demo` database, loads the daily macro file, then replays a bar
/// file through the real path: validation -> INSERT (quarantine for the rejects) -> trigger ->
/// NOTIFY -> BarSeries -> feature UPSERT -> new_features -> the deployed baseline model ->
/// decisions and paper trades. Ends with a summary whose counts must add up: every bar read is
/// either a feature row or quarantined with a reason, and every feature row has a decision.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(CopSettings settings, string file, string? macroFolder, string speed, int? limitDays)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"bar file not found: {Path.GetFullPath(file)}");
        macroFolder ??= Path.GetDirectoryName(Path.GetFullPath(file))!;
        double? multiplier = speed == "max" ? null
            : double.TryParse(speed, System.Globalization.CultureInfo.InvariantCulture, out var m) && m > 0 ? m
            : throw new ArgumentException($"--speed must be 'max' or a positive multiple of real time, not '{speed}'");

        await using var services = await BackingServices.StartAsync(settings, database: "cop_demo");
        var cs = services.ConnectionString;
        var log = new Serilog.Extensions.Logging.SerilogLoggerFactory(Serilog.Log.Logger).CreateLogger("Cop.Demo");
        await using var db = NpgsqlDataSource.Create(ConnectionStrings.Pooled(cs, "cop-demo"));

        // The macro files beside the bar file, through the catalogue's validation and delays.
        var macro = await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFolderAsync(macroFolder);
        // The baseline policy, generated, registered and deployed; its decisions follow new_features.
        var baseline = await ModelRegistration.RegisterBaselineAsync(new ModelRegistryStore(db), Path.Combine(Path.GetDirectoryName(settings.PostgresDataDirectory)!, "models"), deploy: true);

        // The application as `cop run` composes it (no macro schedule, poller or materialisation:
        // the replay is the feed), watched through decorators on its ports.
        var observer = new PathObserver();
        await using var app = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = cs, Redis = await services.RedisAsync(settings), Log = log,
            FeatureWriter = observer.FeatureWriter, DecisionLog = observer.DecisionLog,
        }, "cop-demo");
        await app.Runtime.Trading!.WaitForModelsAsync(1, TimeSpan.FromSeconds(10));

        await using var barStore = new BarStore(cs);
        ProgressTask? readTask = null;
        IBarArchive archive = observer.Bars(barStore);
        if (multiplier is { } x)
            archive = new PacedBarArchive(archive, x, TimeSpan.FromSeconds(2), () => readTask?.Increment(1));
        var ingester = new BarIngester(archive, new QuarantineStore(db), settings.Validation, "demo:" + Path.GetFileName(file));
        var clock = Stopwatch.StartNew();
        // The demo waits for the path as long as it moves: a loaded machine is slow, not broken.
        var stall = settings.Hocon.GetTimeSpan("cop.demo.stall-timeout", TimeSpan.FromSeconds(60));
        IngestReport report = null!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var total = BarFile.Read(file).Count();
                readTask = progress.AddTask("bars validated and stored", maxValue: total);
                var featureTask = progress.AddTask("feature rows built", maxValue: total);
                report = await ingester.IngestFileAsync(file, DateTime.UtcNow, daysPerBatch: multiplier is null ? 20 : 1, maxDays: limitDays,
                    onBatch: r =>
                    {
                        if (multiplier is null) readTask.Increment(r.Read);
                        featureTask.Value = observer.FeatureRows;
                    });

                readTask.Value = readTask.MaxValue;
                featureTask.MaxValue = Math.Max(1, report.Inserted);
                await WhileProgressingAsync(() => observer.FeatureRows, report.Inserted, stall, n => featureTask.Value = n);
                featureTask.Value = observer.FeatureRows;
            });
        var elapsed = clock.Elapsed;
        var built = observer.FeatureRows;
        // Every feature row is decided by the model, one bar at a time.
        await WhileProgressingAsync(() => observer.DecidedBars, built, stall);
        var decidedElapsed = clock.Elapsed;
        var notified = observer.DecidedBars;

        var stored = await new PathSummaryStore(db).SummaryAsync(ingester.Source, baseline.ModelId);
        var (rows, complete, quarantinedStored) = (stored.FeatureRows, stored.CompleteFeatureRows, stored.Quarantined);
        var lat = observer.FeatureLatencies.ToList();
        var accounted = rows + quarantinedStored;

        var table = new Table().Title("Cop demo: real USD/COP bars through the real path").AddColumns("figure", "value");
        table.AddRow("bars read", report.Read.ToString("N0"));
        table.AddRow("accepted and stored", report.Inserted.ToString("N0"));
        table.AddRow("  of which repaired (COT-labelled day shifted +5 h)", report.Repaired.ToString("N0"));
        foreach (var (reason, count) in report.Rejected.OrderByDescending(r => r.Value))
            table.AddRow($"quarantined: {Markup.Escape(reason)}", count.ToString("N0"));
        table.AddRow("feature rows written (inference_features_5m)", rows.ToString("N0"));
        table.AddRow("  with all 15 features present", complete.ToString("N0"));
        var (decisions, trades, equity, verdicts) = (stored.Decisions, stored.Trades, stored.LastEquity, stored.RiskVerdicts);
        table.AddRow("bars decided by the deployed models", notified.ToString("N0"));
        table.AddRow($"decisions of {Markup.Escape(baseline.ModelId)} (trading.model_inferences)", decisions.ToString("N0"));
        foreach (var (verdict, count) in verdicts) table.AddRow($"  risk verdict {Markup.Escape(verdict)}", count.ToString("N0"));
        table.AddRow("paper trades (trading.trades)", trades.ToString("N0"));
        table.AddRow("paper equity at the end (start 10,000; COP per USD unit)", equity is { } eq ? eq.ToString("N2") : "no trade");
        table.AddRow("features-to-decision: all bars decided after (s)", decidedElapsed.TotalSeconds.ToString("F1"));
        table.AddRow("feature reads by source (hits)", string.Join(", ", new[] { "memory", "redis", "postgres", "recompute" }
            .Select(s => $"{s} {Cop.Actors.Telemetry.CopMetrics.FeastRequests.WithLabels(s, "hit").Value:N0}")));
        table.AddRow($"macro values seeded ({macro.Variables.Count} series, {macro.Files.Count} files) / quarantined",
            $"{macro.Upserted:N0} / {macro.Rejected:N0}");
        table.AddRow("bar stored -> feature row committed, p50 / p99 (ms)" + (multiplier is null ? ", queued behind the replay" : ""),
            $"{Stats.Percentile(lat, .5):F1} / {Stats.Percentile(lat, .99):F1}");
        table.AddRow("throughput (bars/s, file to committed feature row)", (rows / elapsed.TotalSeconds).ToString("N0"));
        table.AddRow("elapsed", $"{elapsed.TotalSeconds:F1} s");
        table.AddRow("host memory (peak working set)", $"{Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MB");
        table.AddRow("read = feature rows + quarantined", $"{report.Read:N0} = {rows:N0} + {quarantinedStored:N0}: {(report.Read == accounted ? "yes" : "NO")}");
        AnsiConsole.Write(table);

        var ok = report.Read == accounted && rows == report.Inserted + report.Raced && decisions == rows;
        if (decisions != rows) AnsiConsole.MarkupLine($"[red]{rows - decisions} feature rows have no decision[/]");
        if (!ok) AnsiConsole.MarkupLine("[red]the counts do not add up: some bars are neither features nor quarantined[/]");
        return ok ? 0 : 1;
    }

    /// <summary>Waits until <paramref name="count"/> reaches <paramref name="target"/>, or until it has not
    /// moved for <paramref name="stall"/>.</summary>
    private static async Task WhileProgressingAsync(Func<long> count, long target, TimeSpan stall, Action<long>? onProgress = null)
    {
        var last = count();
        var moved = Stopwatch.StartNew();
        while (last < target && moved.Elapsed < stall)
        {
            await Task.Delay(50);
            var now = count();
            if (now != last) { last = now; moved.Restart(); onProgress?.Invoke(now); }
        }
    }
}
