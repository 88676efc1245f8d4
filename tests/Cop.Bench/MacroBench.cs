using Cop.Host.Application;
using Cop.Persistence.Macro;
using System.Diagnostics;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Streams.Macro;
using Npgsql;

namespace Cop.Bench;

/// <summary>
/// The macro figures of `cop bench` (issue 4): seeding every bundled macro file and regenerating
/// the three Parquet masters, and the one-statement forward fill against a column-by-column loop
/// over the same table (two databases seeded identically, the whole history filled).
/// </summary>
public static class MacroBench
{
    public static async Task RunAsync(BackingServices services, CopSettings settings, string macroFolder,
        List<(string, string)> rows, List<(string, bool)> targets)
    {
        var macro = settings.Macro with { ParquetDirectory = Path.Combine(Path.GetTempPath(), $"cop-bench-parquet-{Environment.ProcessId}") };
        var oneStatement = await SeededAsync("cop_bench_macro_a");
        var loop = await SeededAsync("cop_bench_macro_b");

        var daily = macro.Catalogue.Where(v => v.Table() == "macro_daily").Select(v => v.Column).ToList();
        var from = new DateOnly(1990, 1, 1);
        var sw = Stopwatch.StartNew();
        var filled = await oneStatement.Store.ForwardFillAsync("macro_daily", daily, from, 0);
        var oneMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        // The spec's "before": the same fill as N statements, one per column. Same SQL, same result.
        var filledLoop = 0;
        foreach (var column in daily) filledLoop += await loop.Store.ForwardFillAsync("macro_daily", [column], from, 0);
        var loopMs = sw.Elapsed.TotalMilliseconds;
        var same = await SameTableAsync(oneStatement.Store, loop.Store, daily);
        rows.Add(($"forward fill of macro_daily ({daily.Count} columns, whole history): one statement", $"{oneMs:F0} ms ({filled:N0} rows changed)"));
        rows.Add(($"  {daily.Count} statements, one per column (the spec's before), same table", $"{loopMs:F0} ms ({filledLoop:N0} row updates); same result: {(same ? "yes" : "NO")}"));
        rows.Add(("  per-column statements / one statement", $"{loopMs / oneMs:N1}x"));
        targets.Add(($"one-statement forward fill faster than one statement per column, same result (measured {loopMs / oneMs:N1}x)", same && loopMs > oneMs));
        await oneStatement.Db.DisposeAsync();
        await loop.Db.DisposeAsync();
        try { Directory.Delete(macro.ParquetDirectory, true); } catch (IOException) { }

        async Task<(NpgsqlDataSource Db, MacroStore Store)> SeededAsync(string name)
        {
            var cs = await services.CreateFreshDatabaseAsync(name);
            var db = NpgsqlDataSource.Create(cs);
            var store = new MacroStore(db);
            var clock = Stopwatch.StartNew();
            var report = await new MacroSeeder(store, macro).SeedFolderAsync(macroFolder);
            var masters = await MacroParquet.WriteMastersAsync(store, macro);
            var seconds = clock.Elapsed.TotalSeconds;
            if (name.EndsWith("_a"))
            {
                rows.Add(($"seed {report.Files.Count} macro files ({report.Upserted:N0} values, {report.Rejected:N0} quarantined) + {masters.Count} Parquet masters",
                    $"{seconds:F2} s"));
                targets.Add(($"macro seed + Parquet under 10 s (measured {seconds:F2} s)", seconds < 10));
            }
            return (db, store);
        }
    }

    private static async Task<bool> SameTableAsync(MacroStore a, MacroStore b, IReadOnlyList<string> columns)
    {
        var (da, va) = await a.ReadTableAsync("macro_daily", columns);
        var (db, vb) = await b.ReadTableAsync("macro_daily", columns);
        return da.SequenceEqual(db) && va.Zip(vb, (x, y) => x.SequenceEqual(y)).All(same => same);
    }
}
