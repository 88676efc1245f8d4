using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Host.Replay;
using Cop.Persistence.Stores;
using Cop.Streams.Notifications;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>
/// `cop demo`: replays the bundled real USD/COP bars through the real path (INSERT -> trigger
/// -> NOTIFY -> Akka.Streams source -> watermark commit) on a fresh `cop_demo` database, with
/// a progress bar and a summary of what arrived and how fast.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(CopSettings settings, string file, string speed, int? limit)
    {
        if (!File.Exists(file)) { AnsiConsole.MarkupLine($"[red]bar file not found:[/] {Markup.Escape(file)}"); return 2; }
        double? multiplier = speed == "max" ? null
            : double.TryParse(speed, System.Globalization.CultureInfo.InvariantCulture, out var m) && m > 0 ? m
            : throw new ArgumentException($"--speed must be 'max' or a positive multiple of real time, not '{speed}'");

        await using var services = await BackingServices.StartAsync(settings, database: "cop_demo");
        var cs = services.ConnectionString;
        var msLog = new Serilog.Extensions.Logging.SerilogLoggerFactory(Serilog.Log.Logger).CreateLogger("Cop.Notify");
        await using var consumer = await EventConsumer<BarInserted>.CreateAsync(RowChannels.Bars, cs, "demo", settings.Notify, msLog);
        await using var db = NpgsqlDataSource.Create(cs);
        var quarantine = new QuarantineStore(db);

        using var system = ActorSystem.Create("cop-demo", settings.Hocon);
        var delivered = 0;
        var origins = new ConcurrentDictionary<EventOrigin, int>();
        var latencies = new ConcurrentBag<double>();
        var (kill, done) = consumer.Source()
            .ViaMaterialized(KillSwitches.Single<BarInserted>(), Keep.Right)
            .Select(e =>
            {
                if (e.InsertedAt is { } at) latencies.Add((DateTime.UtcNow - at).TotalMilliseconds);
                origins.AddOrUpdate(e.Origin, 1, (_, c) => c + 1);
                Interlocked.Increment(ref delivered);
                return e;
            })
            .Via(consumer.CommitWatermarks())
            .ToMaterialized(Sink.Ignore<BarInserted>(), Keep.Both)
            .Run(system.Materializer());

        var read = 0; var inserted = 0; var quarantined = new ConcurrentDictionary<string, int>();
        var started = DateTime.UtcNow;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var lines = BarFile.Read(file).Take(limit ?? int.MaxValue).ToList();
                var insertTask = progress.AddTask("bars inserted", maxValue: lines.Count);
                var deliverTask = progress.AddTask("bars delivered by NOTIFY stream", maxValue: lines.Count);
                var batch = new List<BarLine>();
                DateTimeOffset? previous = null;
                foreach (var (bar, raw, error) in lines)
                {
                    read++;
                    if (bar is null)
                    {
                        await Quarantine(raw, error!, "unreadable line");
                    }
                    else
                    {
                        if (multiplier is { } x && previous is { } p)
                        {
                            // Real-time pacing; overnight and weekend gaps are capped at 2 s.
                            var wait = TimeSpan.FromTicks((long)((bar.Time - p).Ticks / x));
                            if (wait > TimeSpan.Zero) { await Flush(); await Task.Delay(wait < TimeSpan.FromSeconds(2) ? wait : TimeSpan.FromSeconds(2)); }
                        }
                        previous = bar.Time;
                        batch.Add(bar);
                        if (batch.Count >= 500 || multiplier is not null) await Flush();
                    }
                    insertTask.Value = read;
                    deliverTask.Value = Volatile.Read(ref delivered);
                }
                await Flush();
                var expected = inserted;
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (Volatile.Read(ref delivered) < expected && DateTime.UtcNow < deadline)
                {
                    deliverTask.Value = Volatile.Read(ref delivered);
                    await Task.Delay(50);
                }
                deliverTask.Value = deliverTask.MaxValue = Math.Max(1, expected);
                insertTask.Value = insertTask.MaxValue;

                async Task Flush()
                {
                    if (batch.Count == 0) return;
                    try { inserted += await InsertAsync(db, batch); }
                    catch (PostgresException)
                    {
                        // One bad row must not sink its batch: retry one by one, quarantine the rejects.
                        foreach (var b in batch)
                        {
                            try { inserted += await InsertAsync(db, [b]); }
                            catch (PostgresException e) { await Quarantine(b.Raw, $"line {b.LineNumber}: {e.MessageText}", e.ConstraintName ?? e.SqlState); }
                        }
                    }
                    batch.Clear();
                }
                async Task Quarantine(string raw, string reason, string key)
                {
                    quarantined.AddOrUpdate(key, 1, (_, c) => c + 1);
                    await quarantine.AddAsync("demo:bar-file", raw, reason);
                }
            });
        var elapsed = DateTime.UtcNow - started;
        await Task.Delay(300);
        kill.Shutdown();
        await done.WaitAsync(TimeSpan.FromSeconds(10));

        var duplicatesInFile = read - inserted - quarantined.Values.Sum();
        var lat = latencies.ToList();
        var table = new Table().Title("Cop demo: bundled bars through the event backbone").AddColumns("figure", "value");
        table.AddRow("bars read", read.ToString("N0"));
        table.AddRow("bars inserted (committed)", inserted.ToString("N0"));
        table.AddRow("rows already stored (same symbol, time)", duplicatesInFile.ToString("N0"));
        foreach (var (reason, count) in quarantined) table.AddRow($"quarantined: {Markup.Escape(reason)}", count.ToString("N0"));
        table.AddRow("events delivered to the stream", delivered.ToString("N0"));
        foreach (var (origin, count) in origins.OrderBy(o => o.Key)) table.AddRow($"  via {origin}", count.ToString("N0"));
        table.AddRow("NOTIFY latency p50 / p99 / max (ms)", $"{Stats.Percentile(lat, .5):F2} / {Stats.Percentile(lat, .99):F2} / {(lat.Count > 0 ? lat.Max() : double.NaN):F2}");
        table.AddRow("throughput (bars/s, insert to delivery)", (delivered / elapsed.TotalSeconds).ToString("N0"));
        table.AddRow("durable watermark", EventWatermarks.Describe(consumer.Marks.Committed()));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]Validation, features and trading join this path in the next stages (see issues).[/]");
        var ok = delivered == inserted;
        if (!ok) AnsiConsole.MarkupLine($"[red]{inserted - delivered} committed bars were not delivered[/]");
        return ok ? 0 : 1;
    }

    private static async Task<int> InsertAsync(NpgsqlDataSource db, IReadOnlyList<BarLine> bars)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO usdcop_m5_ohlcv (time, symbol, open, high, low, close, volume, source)
            SELECT * FROM unnest(@t::timestamptz[], @s::text[], @o::float8[], @h::float8[], @l::float8[], @c::float8[], @v::float8[], @src::text[])
            ON CONFLICT (symbol, time) DO NOTHING
            """);
        cmd.Parameters.AddWithValue("t", bars.Select(b => b.Time.UtcDateTime).ToArray());
        cmd.Parameters.AddWithValue("s", bars.Select(b => b.Symbol).ToArray());
        cmd.Parameters.AddWithValue("o", bars.Select(b => b.Open).ToArray());
        cmd.Parameters.AddWithValue("h", bars.Select(b => b.High).ToArray());
        cmd.Parameters.AddWithValue("l", bars.Select(b => b.Low).ToArray());
        cmd.Parameters.AddWithValue("c", bars.Select(b => b.Close).ToArray());
        cmd.Parameters.AddWithValue("v", bars.Select(b => b.Volume).ToArray());
        cmd.Parameters.AddWithValue("src", bars.Select(b => b.Source).ToArray());
        return await cmd.ExecuteNonQueryAsync();
    }
}
