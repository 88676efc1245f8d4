using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Streams.Notifications;
using Npgsql;
using Spectre.Console;

namespace Cop.Bench;

/// <summary>
/// `cop bench`: the event backbone measured side by side in one run, on a fresh `cop_bench`
/// database: NOTIFY through Cop's source one event at a time (latency), a bare Npgsql listener
/// for reference, sustained bulk throughput with zero-loss check and RSS, and the spec's V6
/// polling design (1 s interval) on the same one-at-a-time workload.
/// </summary>
public static class BenchCommand
{
    public static async Task<int> RunAsync(CopSettings settings, bool quick, string barFile, string macroFolder, string? only = null)
    {
        if (only is not (null or "trading" or "training" or "backtest"))
            throw new ArgumentException($"--only takes 'trading', 'training' or 'backtest' (or nothing for every section), not '{only}'");
        var (oneByOne, sustained, pollEvents) = quick ? (300, 10_000, 5) : (2_000, 100_000, 40);
        await using var services = await BackingServices.StartAsync(settings, database: "cop_bench");
        var cs = services.ConnectionString;
        await using var db = NpgsqlDataSource.Create(cs);
        var rows = new List<(string, string)>();
        AnsiConsole.MarkupLine($"[grey]{Environment.ProcessorCount} cores, {services.Describe}[/]");

        // Features (issue 3) first, in a database of their own.
        var featureRows = new List<(string, string)>();
        var featureTargets = new List<(string, bool)>();
        var macroRows = new List<(string, string)>();
        var tradingRows = new List<(string, string)>();
        if (only is null)
        {
            await FeatureBench.RunAsync(services, settings, barFile, macroFolder, quick, featureRows, featureTargets);
            await MacroBench.RunAsync(services, settings, macroFolder, macroRows, featureTargets);
        }
        var trainingRows = new List<(string, string)>();
        if (only is null or "training")
            await TrainingBench.RunAsync(services, settings, barFile, macroFolder, quick, trainingRows, featureTargets);
        if (only == "training")
        {
            Write("Cop bench: training (issue 15)", trainingRows);
            WriteTargets(featureTargets);
            return 0;
        }
        var backtestRows = new List<(string, string)>();
        if (only is null or "backtest")
            await BacktestBench.RunAsync(services, settings, barFile, macroFolder, quick, backtestRows, featureTargets);
        if (only == "backtest")
        {
            Write("Cop bench: backtests (issue 16)", backtestRows);
            WriteTargets(featureTargets);
            return 0;
        }
        if (only is null or "trading")
            await TradingBench.RunAsync(services, settings, barFile, macroFolder, quick, tradingRows, featureTargets);
        if (only is not null)
        {
            Write("Cop bench: deployed models (issue 5)", tradingRows);
            WriteTargets(featureTargets);
            return 0;
        }

        // 1. Bare Npgsql listener on the same INSERT workload: what PostgreSQL itself gives here.
        const int bareFirst = 0; // before the source's bars: its consumer catches these up, then sees only newer ones
        var bare = await BareListenerLatencyAsync(cs, db, bareFirst, oneByOne);
        rows.Add(("bare Npgsql LISTEN, one at a time: p50 / p99 / max (ms)", Fmt(bare)));

        // 2. Cop's source, one at a time: insert a bar, wait until the stream delivers it.
        await using var app = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = cs, ActorFamilies = false,   // the system alone: this section runs its own graph
        }, "cop-bench");
        var system = app.System;
        var msLog = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        await using var consumer = await EventConsumer<BarInserted>.CreateAsync(RowChannels.Bars, cs, "bench", settings.Notify, msLog);
        var waiting = new ConcurrentDictionary<DateTime, TaskCompletionSource>();
        var delivered = 0;
        var (kill, done) = consumer.Source()
            .ViaMaterialized(KillSwitches.Single<BarInserted>(), Keep.Right)
            .Select(e =>
            {
                Interlocked.Increment(ref delivered);
                if (waiting.TryRemove(e.Time, out var tcs)) tcs.TrySetResult();
                return e;
            })
            .Via(consumer.CommitWatermarks())
            .ToMaterialized(Sink.Ignore<BarInserted>(), Keep.Both)
            .Run(system.Materializer());
        await Task.Delay(500); // connected and caught up

        var next = 100_000; // after the bare listener's bars
        var cop = new List<double>();
        const int warmUp = 200; // JIT and connection warm-up, not counted
        for (var i = 0; i < oneByOne + warmUp; i++)
        {
            var t = BarTime(next++);
            var tcs = waiting.GetOrAdd(t, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var sw = Stopwatch.StartNew();
            await InsertBarsAsync(db, next - 1, next);
            await tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= warmUp) cop.Add(sw.Elapsed.TotalMilliseconds);
        }
        rows.Add(("Cop NOTIFY source, one at a time: p50 / p99 / max (ms)", Fmt(cop)));

        // 3. Sustained: bulk inserts as fast as PostgreSQL takes them, all must arrive.
        var rssStart = Stats.RssMb();
        var before = Volatile.Read(ref delivered);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < sustained; i += 1000)
            await InsertBarsAsync(db, next + i, next + Math.Min(i + 1000, sustained));
        var insertSeconds = clock.Elapsed.TotalSeconds;
        while (Volatile.Read(ref delivered) - before < sustained && clock.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(5);
        var seconds = clock.Elapsed.TotalSeconds;
        next += sustained;
        var got = Volatile.Read(ref delivered) - before;
        var rssEnd = Stats.RssMb();
        rows.Add(($"sustained: {sustained:N0} bars inserted in batches of 1,000", $"{got:N0} delivered, {sustained - got:N0} lost"));
        rows.Add(("sustained throughput (events/s, insert start to last delivery)", (got / seconds).ToString("N0")));
        rows.Add(("  of which PostgreSQL insert rate (rows/s)", (sustained / insertSeconds).ToString("N0")));
        rows.Add(("process RSS at start / end of the sustained run (MB)", $"{rssStart:F0} / {rssEnd:F0}"));
        kill.Shutdown();
        await done.WaitAsync(TimeSpan.FromSeconds(10));

        // 4. The V6 design: poll every second for rows newer than the last seen.
        var poll = await PollingLatencyAsync(db, next, pollEvents);
        next += pollEvents;
        rows.Add(($"V6 polling every 1 s, one at a time ({pollEvents} events): p50 / p99 / max (ms)", Fmt(poll)));
        var ratio = Stats.Percentile(poll, .5) / Stats.Percentile(cop, .5);
        rows.Add(("median latency, polling / Cop NOTIFY source", $"{ratio:N0}x"));

        Write("Cop bench: features (issue 3)", featureRows);
        Write("Cop bench: macro (issue 4)", macroRows);
        Write("Cop bench: deployed models (issue 5)", tradingRows);
        Write("Cop bench: training (issue 15)", trainingRows);
        Write("Cop bench: backtests (issue 16)", backtestRows);
        Write("Cop bench: event backbone", rows);
        var p99 = Stats.Percentile(cop, .99);
        WriteTargets([.. featureTargets,
            ($"NOTIFY delivery p99 <= 2 ms one at a time", p99 <= 2),
            ($">= 2,000 events/s sustained with zero loss", got == sustained && got / seconds >= 2000),
            ($">= 1,000x lower median latency than polling", ratio >= 1000)]);
        return 0;
    }

    private static void Write(string title, IEnumerable<(string Figure, string Value)> rows)
    {
        var table = new Table().Title(title).AddColumns("figure", "value");
        foreach (var (k, v) in rows) table.AddRow(Markup.Escape(k), Markup.Escape(v));
        AnsiConsole.Write(table);
    }

    private static void WriteTargets(IEnumerable<(string What, bool Met)> targets)
    {
        foreach (var (what, met) in targets) AnsiConsole.MarkupLine($"{(met ? "[green]met[/]" : "[red]not met[/]")}  {Markup.Escape(what)}");
    }

    private static string Fmt(List<double> v) =>
        $"{Stats.Percentile(v, .5):F3} / {Stats.Percentile(v, .99):F3} / {v.Max():F3}";

    private static readonly DateTime Epoch = new(2030, 1, 1, 13, 0, 0, DateTimeKind.Utc);
    private static DateTime BarTime(int i) => Epoch.AddMinutes(5 * i);

    private static async Task InsertBarsAsync(NpgsqlDataSource db, int from, int to)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO usdcop_m5_ohlcv (symbol, time, open, high, low, close, source)
            SELECT 'USD/COP', @epoch + make_interval(mins => 5 * i), 4000, 4001, 3999, 4000.5, 'bench'
              FROM generate_series(@from, @to - 1) AS i
            """);
        cmd.Parameters.AddWithValue("epoch", Epoch);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The same INSERT -> trigger -> NOTIFY workload received by a bare Npgsql
    /// listener: the floor any listener can reach here.</summary>
    private static async Task<List<double>> BareListenerLatencyAsync(string cs, NpgsqlDataSource db, int first, int n)
    {
        await using var conn = new NpgsqlConnection(ConnectionStrings.Dedicated(cs, "cop-bench-bare"));
        await conn.OpenAsync();
        TaskCompletionSource? current = null;
        conn.Notification += (_, _) => current?.TrySetResult();
        await using (var l = new NpgsqlCommand($"LISTEN {Channels.Name(NotifyChannel.NewOhlcvBar)}", conn)) await l.ExecuteNonQueryAsync();
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(async () => { try { while (true) await conn.WaitAsync(stop.Token); } catch (OperationCanceledException) { } });
        var lat = new List<double>(n);
        for (var i = -200; i < n; i++) // the first 200 warm up
        {
            current = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sw = Stopwatch.StartNew();
            await InsertBarsAsync(db, first + 200 + i, first + 201 + i);
            await current.Task.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= 0) lat.Add(sw.Elapsed.TotalMilliseconds);
        }
        stop.Cancel();
        await pump;
        return lat;
    }

    private static async Task<List<double>> PollingLatencyAsync(NpgsqlDataSource db, int first, int n)
    {
        var seen = new ConcurrentDictionary<DateTime, TaskCompletionSource>();
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            var last = BarTime(first - 1);
            while (!stop.IsCancellationRequested)
            {
                await using (var cmd = db.CreateCommand("SELECT time FROM usdcop_m5_ohlcv WHERE time > @t ORDER BY time"))
                {
                    cmd.Parameters.AddWithValue("t", last);
                    await using var r = await cmd.ExecuteReaderAsync();
                    while (await r.ReadAsync())
                    {
                        last = r.GetDateTime(0);
                        if (seen.TryGetValue(last, out var tcs)) tcs.TrySetResult();
                    }
                }
                try { await Task.Delay(1000, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var lat = new List<double>();
        var rnd = new Random(7);
        for (var i = 0; i < n; i++)
        {
            await Task.Delay(rnd.Next(0, 1000)); // bars arrive at any phase of the poll cycle
            var tcs = seen.GetOrAdd(BarTime(first + i), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var sw = Stopwatch.StartNew();
            await InsertBarsAsync(db, first + i, first + i + 1);
            await tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
            lat.Add(sw.Elapsed.TotalMilliseconds);
        }
        stop.Cancel();
        await poller;
        return lat;
    }
}
