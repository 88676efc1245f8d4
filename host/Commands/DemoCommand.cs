using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Streams.Macro;
using Cop.Streams.Notifications;
using Cop.Trading.Validation;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>
/// `cop demo`: on a fresh `cop_demo` database, loads the daily macro file, then replays a bar
/// file through the real path: validation -> INSERT (quarantine for the rejects) -> trigger ->
/// NOTIFY -> BarSeries -> feature UPSERT -> new_features. Ends with a summary whose counts must
/// add up: every bar read is either a feature row or quarantined with a reason.
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
        await using var db = NpgsqlDataSource.Create(cs);

        // The macro files beside the bar file, through the catalogue's validation and delays.
        var macro = await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFolderAsync(macroFolder);

        using var system = ActorSystem.Create("cop-demo", FeatureWiring.ActorSystemConfig(settings, cs));
        var built = 0;
        var latencies = new ConcurrentBag<double>();
        await using var wiring = await FeatureWiring.StartAsync(system, settings, cs, log, onBuilt: (e, at) =>
        {
            if (e.InsertedAt is { } inserted) latencies.Add((at - inserted).TotalMilliseconds);
            Interlocked.Increment(ref built);
        });
        // A second listener counts the new_features notifications the feature writes raise.
        await using var featureEvents = await EventConsumer<FeaturesWritten>.CreateAsync(RowChannels.Features, cs, "demo-feature-events", settings.Notify, log);
        var notified = 0;
        var (kill, done) = featureEvents.Source().Select(e => { Interlocked.Increment(ref notified); return e; })
            .Via(featureEvents.CommitWatermarks())
            .ViaMaterialized(KillSwitches.Single<FeaturesWritten>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<FeaturesWritten>(), Keep.Both)
            .Run(system.Materializer());

        await using var bars = new BarStore(cs);
        var ingester = new BarIngester(bars, new QuarantineStore(db), settings.Validation, "demo:" + Path.GetFileName(file));
        var clock = Stopwatch.StartNew();
        IngestReport report = null!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var total = BarFile.Read(file).Count();
                var readTask = progress.AddTask("bars validated and stored", maxValue: total);
                var featureTask = progress.AddTask("feature rows built", maxValue: total);
                DateTime? previous = null;
                report = await ingester.IngestFileAsync(file, DateTime.UtcNow, daysPerBatch: multiplier is null ? 20 : 1, maxDays: limitDays,
                    onBatch: r =>
                    {
                        if (multiplier is null) readTask.Increment(r.Read);
                        featureTask.Value = Volatile.Read(ref built);
                    },
                    beforeEachBar: multiplier is not { } x ? null : async bar =>
                    {
                        // Real-time pacing: the gap to the previous bar at x; nights and weekends capped at 2 s.
                        if (previous is { } p)
                        {
                            var wait = TimeSpan.FromTicks((long)((bar.Time - p).Ticks / x));
                            if (wait > TimeSpan.Zero) await Task.Delay(wait < TimeSpan.FromSeconds(2) ? wait : TimeSpan.FromSeconds(2));
                        }
                        previous = bar.Time;
                        readTask.Value = Math.Min(readTask.MaxValue, readTask.Value + 1);
                        featureTask.Value = Volatile.Read(ref built);
                    });

                readTask.Value = readTask.MaxValue;
                featureTask.MaxValue = Math.Max(1, report.Inserted);
                var deadline = DateTime.UtcNow.AddMinutes(3);
                while (Volatile.Read(ref built) < report.Inserted && DateTime.UtcNow < deadline)
                {
                    featureTask.Value = Volatile.Read(ref built);
                    await Task.Delay(50);
                }
                featureTask.Value = Volatile.Read(ref built);
            });
        var elapsed = clock.Elapsed;
        var deadlineNotify = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref notified) < built && DateTime.UtcNow < deadlineNotify) await Task.Delay(50);
        featureEvents.Stop();
        kill.Shutdown();
        await done.WaitAsync(TimeSpan.FromSeconds(10));

        var rows = await Scalar<long>(db, "SELECT count(*) FROM inference_features_5m");
        var complete = await Scalar<long>(db, $"SELECT count(*) FROM inference_features_5m WHERE {string.Join(" AND ", Cop.Trading.Features.FeatureNames.Ordered.Select(n => n + " IS NOT NULL"))}");
        var quarantinedStored = await Scalar<long>(db, "SELECT count(*) FROM quarantine WHERE source = @s", ("s", ingester.Source));
        var lat = latencies.ToList();
        var accounted = rows + quarantinedStored;

        var table = new Table().Title("Cop demo: real USD/COP bars through the real path").AddColumns("figure", "value");
        table.AddRow("bars read", report.Read.ToString("N0"));
        table.AddRow("accepted and stored", report.Inserted.ToString("N0"));
        table.AddRow("  of which repaired (COT-labelled day shifted +5 h)", report.Repaired.ToString("N0"));
        foreach (var (reason, count) in report.Rejected.OrderByDescending(r => r.Value))
            table.AddRow($"quarantined: {Markup.Escape(reason)}", count.ToString("N0"));
        table.AddRow("feature rows written (inference_features_5m)", rows.ToString("N0"));
        table.AddRow("  with all 15 features present", complete.ToString("N0"));
        table.AddRow("new_features notifications received", notified.ToString("N0"));
        table.AddRow($"macro values seeded ({macro.Variables.Count} series, {macro.Files.Count} files) / quarantined",
            $"{macro.Upserted:N0} / {macro.Rejected:N0}");
        table.AddRow("NOTIFY-to-features latency p50 / p99 (ms)" + (multiplier is null ? ", queued behind the replay" : ""),
            $"{Stats.Percentile(lat, .5):F1} / {Stats.Percentile(lat, .99):F1}");
        table.AddRow("throughput (bars/s, file to committed feature row)", (rows / elapsed.TotalSeconds).ToString("N0"));
        table.AddRow("elapsed", $"{elapsed.TotalSeconds:F1} s");
        table.AddRow("host memory (peak working set)", $"{Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MB");
        table.AddRow("read = feature rows + quarantined", $"{report.Read:N0} = {rows:N0} + {quarantinedStored:N0}: {(report.Read == accounted ? "yes" : "NO")}");
        AnsiConsole.Write(table);

        var ok = report.Read == accounted && rows == report.Inserted + report.Raced;
        if (!ok) AnsiConsole.MarkupLine("[red]the counts do not add up: some bars are neither features nor quarantined[/]");
        return ok ? 0 : 1;
    }

    private static async Task<T> Scalar<T>(NpgsqlDataSource db, string sql, params (string, object)[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
