using Cop.Host.Application;
using Cop.Persistence.Macro;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Tests.Infrastructure;
using Cop.Trading.Features;
using Cop.Trading.Validation;
using Npgsql;

namespace Cop.Tests.Learning;

/// <summary>
/// Real rows for the learning tests: the bundled sample bars (2020 H1) validated as the ingester
/// validates them, the bundled daily macro file seeded through the catalogue into a fresh database
/// and read back as the feature builder reads it, and each bar's features from the one
/// FeatureBuilder, as FeatureSnapshots (what a deployed model reads). Rows with a NULL feature are
/// left out as datasets leave them out. Built once per test run; train is the first 70 %, validation the rest.
/// </summary>
public static class RealFeatureRows
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (IReadOnlyList<FeatureSnapshot> Train, IReadOnlyList<FeatureSnapshot> Validation)? _rows;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", name);

    public static async Task<(IReadOnlyList<FeatureSnapshot> Train, IReadOnlyList<FeatureSnapshot> Validation)> LoadAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_rows is { } cached) return cached;
            var cs = await SharedPostgres.NewDatabaseAsync("learning");
            var (bars, built) = await BuildAsync(cs);
            var rows = new List<FeatureSnapshot>();
            for (var i = 0; i < bars.Length; i++)
                if (built[i].IsComplete) rows.Add(new FeatureSnapshot(built[i].Symbol, built[i].Time, built[i].Values(), bars[i].Close, built[i].MacroAsOf));
            if (rows.Count < 1000) throw new InvalidOperationException($"only {rows.Count} complete rows from the bundled sample");
            var cut = rows.Count * 7 / 10;
            _rows = (rows[..cut], rows[cut..]);
            return _rows.Value;
        }
        finally { Gate.Release(); }
    }

    /// <summary>Seeds the macro file into the database at <paramref name="cs"/> and builds every validated
    /// sample bar's feature row with it; with <paramref name="store"/>, also stores the bars and the rows
    /// (a feature store as `cop demo` leaves it, for `cop dataset build`).</summary>
    public static async Task<(Cop.Trading.Bar[] Bars, FeatureRow[] Rows)> BuildAsync(string cs, bool store = false)
    {
        var settings = ShippedConfig.Settings();
        await using (var db = NpgsqlDataSource.Create(cs))
            await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Fixture("macro_indicators_daily_2019_2020.csv.gz")]);
        IReadOnlyDictionary<string, IEnumerable<MacroObservation>> macro;
        await using (var features = new FeatureStore(cs)) macro = await features.LoadMacroAsync();
        var raw = BarFile.Read(Fixture("usdcop_m5_2020h1.csv.gz")).Where(r => r.Bar is not null).Select(r => r.Bar!).ToList();
        var bars = BarValidator.Validate(raw, (_, _) => false, new Dictionary<string, SeriesTail>(), DateTime.UtcNow, settings.Validation)
            .Accepted.Select(a => a.Bar).ToArray();
        var builder = new FeatureBuilder("USD/COP", new MacroFeatures(macro));
        var rows = bars.Select(b => builder.Next(b)).ToArray();
        if (store)
        {
            await Sql.InsertBarsAsync(cs, bars);
            await using var features = new FeatureStore(cs);
            foreach (var chunk in rows.Chunk(1000)) await features.UpsertAsync(chunk);
        }
        return (bars, rows);
    }
}
