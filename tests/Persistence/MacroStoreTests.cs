using Cop.Actors.Macro;
using Cop.Host.Application;
using Cop.Persistence.Macro;
using Cop.Persistence.Stores;
using Cop.Streams.Macro;
using Cop.Tests.Infrastructure;
using Cop.Trading.Features;
using Cop.Trading.Macro;
using Npgsql;

namespace Cop.Tests.Persistence;

/// <summary>Macro storage on a real PostgreSQL: seed, delays, validation, revisions, forward fill.</summary>
[Collection(PersistenceCollection.Name)]
public class MacroStoreTests
{
    private static readonly MacroSettings Settings = ShippedConfig.Settings().Macro;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", name);

    private static async Task<(string Cs, NpgsqlDataSource Db, MacroStore Store)> NewAsync()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("macro");
        var db = NpgsqlDataSource.Create(cs);
        return (cs, db, new MacroStore(db));
    }

    [Fact]
    public async Task Seeding_applies_the_delay_validation_and_catalogue_and_a_rerun_changes_nothing()
    {
        var (cs, db, store) = await NewAsync();
        await using var _ = db;
        // The real daily fixture plus a monthly file of our own with a bad print (a x10 INDPRO).
        var dir = Directory.CreateTempSubdirectory("cop-macro-").FullName;
        File.Copy(Fixture("macro_indicators_daily_2019_2020.csv.gz"), Path.Combine(dir, "macro_indicators_daily.csv.gz"));
        await File.WriteAllLinesAsync(Path.Combine(dir, "macro_monthly_master.csv"),
        [
            ",PROD_INDUSTRIAL_USA_M_INDPRO,POLR_FED_FUNDS_USA_M_FEDFUNDS",
            "2020-01-01,109.1,1.55", "2020-02-01,109.4,1.58", "2020-03-01,1013.9,0.65", "2020-04-01,92.5,0.05", "2020-05-01,93.1,abc",
        ]);
        var seeder = new MacroSeeder(store, Settings);
        var report = await seeder.SeedFolderAsync(dir);

        Assert.True(report.Variables[MacroColumns.Dxy].Upserted > 200, $"DXY: {report.Variables[MacroColumns.Dxy]}");
        Assert.Equal((4, 1), report.Variables["prod_industrial_usa_m_indpro"]);   // 1013.9 out of range
        Assert.Equal((4, 1), report.Variables["polr_fed_funds_usa_m_fedfunds"]);  // 'abc' not a number
        Assert.Contains(report.IgnoredColumns, c => c.EndsWith("infl_cpi_all_usa_m_cpiaucsl"));   // monthly, in the daily file
        Assert.Equal(2L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine WHERE source LIKE 'macro:%'"));
        Assert.Contains("outside the valid range", await Sql.ScalarAsync<string>(cs,
            "SELECT reason FROM quarantine WHERE reason_code = 'macro_out_of_range'"));

        // fecha_available = fecha + delay, never fecha - delay.
        Assert.Equal(new DateOnly(2020, 3, 3), await Sql.ScalarAsync<DateOnly>(cs, "SELECT fecha_available FROM macro_daily WHERE fecha = '2020-03-02'"));
        Assert.Equal(new DateOnly(2020, 2, 1).AddDays(30), await Sql.ScalarAsync<DateOnly>(cs, "SELECT fecha_available FROM macro_monthly WHERE fecha = '2020-02-01'"));

        var again = await seeder.SeedFolderAsync(dir);
        Assert.Equal(0, again.Upserted);   // identical values: nothing rewritten
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_revision_overwrites_the_value_and_stamps_updated_at()
    {
        var (cs, db, store) = await NewAsync();
        await using var _ = db;
        var vix = Settings[MacroColumns.Vix];
        var d = new DateOnly(2024, 7, 2);
        Assert.Equal(1, await store.UpsertAsync(vix, [new(d, 12.5)]));
        var before = await Sql.ScalarAsync<DateTime>(cs, "SELECT updated_at FROM macro_daily WHERE fecha = @d", ("d", d));
        Assert.Equal(0, await store.UpsertAsync(vix, [new(d, 12.5)]));
        Assert.Equal(1, await store.UpsertAsync(vix, [new(d, 12.9)]));
        Assert.Equal(12.9, await Sql.ScalarAsync<double>(cs, "SELECT volt_vix_usa_d_vix FROM macro_daily WHERE fecha = @d", ("d", d)));
        Assert.True(await Sql.ScalarAsync<DateTime>(cs, "SELECT updated_at FROM macro_daily WHERE fecha = @d", ("d", d)) > before);

        // A live BarSeries reloads only what changed since its last load.
        await store.UpsertAsync(vix, [new(d.AddDays(-10), 14.0)]);
        var stamp = await Sql.ScalarAsync<DateTime>(cs, "SELECT updated_at FROM macro_daily WHERE fecha = @d", ("d", d.AddDays(-10)));
        await store.UpsertAsync(vix, [new(d, 13.1)]);
        await using var features = new FeatureStore(cs);
        var changed = await features.LoadMacroAsync(changedSince: stamp);
        Assert.Equal([13.1], changed[MacroColumns.Vix].Select(v => v.Value));
    }

    [Fact]
    public async Task One_statement_forward_fill_equals_a_row_by_row_reference_and_features_ignore_filled_cells()
    {
        var (cs, db, store) = await NewAsync();
        await using var _ = db;
        var columns = new[] { MacroColumns.Dxy, MacroColumns.Vix, MacroColumns.Brent };
        var rng = new Random(3);
        var start = new DateOnly(2024, 1, 1);
        // 200 days, each column missing at random (runs of NULLs, leading NULLs), one column empty at the start.
        foreach (var (column, k) in columns.Select((c, k) => (c, k)))
        {
            var values = Enumerable.Range(0, 200).Where(i => (k != 2 || i > 30) && rng.NextDouble() > 0.35)
                .Select(i => new MacroValue(start.AddDays(i), 100 + k + i * 0.01)).ToList();
            await store.UpsertAsync(Settings[column], values);
        }
        var (dates, before) = await store.ReadTableAsync("macro_daily", columns);
        var from = start.AddDays(60);
        var expected = ReferenceFill(dates, before, from, lookbackDays: 40);

        var changed = await store.ForwardFillAsync("macro_daily", columns, from, lookbackDays: 40);
        var (_, after) = await store.ReadTableAsync("macro_daily", columns);
        Assert.True(changed > 0);
        for (var k = 0; k < columns.Length; k++) Assert.Equal(expected[k], after[k]);

        // Filled cells are marked, and the feature store's history skips them.
        var filled = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM macro_daily WHERE cardinality(filled_columns) > 0");
        Assert.True(filled > 0);
        await using var features = new FeatureStore(cs);
        var history = await features.LoadMacroAsync();
        var published = before[0].Count(v => v is not null);
        Assert.Equal(published, history[MacroColumns.Dxy].Count());

        // The column-by-column baseline gives the same table.
        var (cs2, db2, store2) = await NewAsync();
        await using var __ = db2;
        foreach (var (column, k) in columns.Select((c, k) => (c, k)))
            await store2.UpsertAsync(Settings[column], [.. dates.Select((d, i) => (d, before[k][i])).Where(x => x.Item2 is not null).Select(x => new MacroValue(x.d, x.Item2!.Value))]);
        foreach (var column in columns) await store2.ForwardFillAsync("macro_daily", [column], from, lookbackDays: 40);
        var (_, loop) = await store2.ReadTableAsync("macro_daily", columns);
        for (var k = 0; k < columns.Length; k++) Assert.Equal(expected[k], loop[k]);
    }

    /// <summary>Row by row: rows from <paramref name="from"/> take the last published value of
    /// their column, looking back no further than the anchor date.</summary>
    private static double?[][] ReferenceFill(IReadOnlyList<DateOnly> dates, IReadOnlyList<double?[]> columns, DateOnly from, int lookbackDays)
    {
        var anchor = from.AddDays(-lookbackDays);
        return [.. columns.Select(values =>
        {
            var result = (double?[])values.Clone();
            double? last = null;
            for (var i = 0; i < dates.Count; i++)
            {
                if (dates[i] < anchor) continue;
                if (values[i] is { } v) last = v;
                else if (dates[i] >= from) result[i] = last;
            }
            return result;
        })];
    }

    [Fact]
    public async Task Status_shows_every_catalogue_variable_with_its_last_run()
    {
        var (_, db, store) = await NewAsync();
        await using var __ = db;
        var dxy = Settings[MacroColumns.Dxy];
        await store.UpsertAsync(dxy, [new(new DateOnly(2025, 6, 27), 97.4)]);
        await store.RecordRunAsync(dxy.Column, dxy.Source, ExtractionRange.Decide(dxy, [new DateOnly(2025, 6, 27)], new DateOnly(2025, 6, 30), Settings.SeedStart),
            MacroRunResult.Failed, "TwelveData error 429", 0, 0, BreakerState.Open);
        var status = await store.StatusAsync(Settings.Catalogue);
        Assert.Equal(Settings.Catalogue.Count, status.Count);
        var s = status.Single(x => x.Variable == dxy.Column);
        Assert.Equal((new DateOnly(2025, 6, 27), new DateOnly(2025, 6, 28), MacroRunResult.Failed, BreakerState.Open), (s.LastDate, s.LastAvailable, s.Result, s.BreakerState));
        Assert.StartsWith("refresh", s.Plan);
        Assert.Null(status.Single(x => x.Variable == MacroColumns.Vix).LastDate);
    }
}
