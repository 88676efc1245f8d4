using Cop.Host.Application;
using Cop.Persistence.Macro;
using Cop.Actors.Macro;
using Cop.Actors.Telemetry;
using Cop.Persistence.Stores;
using Cop.Streams.Macro;
using Cop.Tests.Infrastructure;
using Cop.Trading.Features;
using Cop.Trading.Macro;
using Npgsql;

namespace Cop.Tests.Persistence;

/// <summary>Issue 13 and three items of issue 12 on a real PostgreSQL: the bundled history seeds
/// clean, every rejection is a quarantine row with its rule and reference, a wrong feed makes its
/// series stale, and bad macro files are refused with one clear line.</summary>
[Collection(PersistenceCollection.Name)]
public class MacroQualityStoreTests
{
    private static readonly MacroSettings Settings = ShippedConfig.Settings().Macro;

    private static async Task<(string Cs, NpgsqlDataSource Db, MacroStore Store)> NewAsync()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("macroq");
        var db = NpgsqlDataSource.Create(cs);
        return (cs, db, new MacroStore(db));
    }

    private static List<MacroValue> BusinessDays(DateOnly from, int count, double level)
    {
        var values = new List<MacroValue>();
        for (var d = from; values.Count < count; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) values.Add(new MacroValue(d, level + 0.1 * Math.Sin(values.Count)));
        return values;
    }

    [Fact]
    public async Task The_real_bundled_files_seed_with_nothing_rejected_march_april_2020_included()
    {
        var (cs, db, store) = await NewAsync();
        await using var _ = db;
        var report = await new MacroSeeder(store, Settings).SeedFolderAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", "macro"));

        Assert.Equal(3, report.Files.Count);
        Assert.True(report.Upserted > 30_000, $"{report.Upserted} values stored");
        var reasons = await Sql.ScalarAsync<string>(cs, "SELECT coalesce(string_agg(reason, E'\n' ORDER BY id), '') FROM quarantine");
        Assert.True(report.Rejected == 0 && reasons == "", $"{report.Rejected} rejected:\n{reasons}");
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM macro_rejections"));
        // The extreme days are there: Brent -24 % in a day (25.57 -> 19.33), VIX above 80.
        Assert.Equal(19.33, await Sql.ScalarAsync<double>(cs, "SELECT comm_oil_brent_glb_d_brent FROM macro_daily WHERE fecha = '2020-04-21'"));
        Assert.True(await Sql.ScalarAsync<double>(cs, "SELECT max(volt_vix_usa_d_vix) FROM macro_daily WHERE fecha BETWEEN '2020-03-01' AND '2020-04-30'") > 80);
        Assert.Empty(await store.StaleAsync(Settings.Catalogue));
    }

    [Fact]
    public async Task A_wrong_level_for_60_days_is_quarantined_with_rule_and_reference_once_per_value_and_the_series_is_stale()
    {
        var (cs, db, store) = await NewAsync();
        await using var _ = db;
        // USD/CLP: no other test touches its metrics (they are process-wide).
        var clp = Settings["fxrt_spot_usdclp_chl_d_usdclp"];
        var truth = BusinessDays(new DateOnly(2025, 1, 1), 60, 940);
        var wrong = BusinessDays(truth[^1].Date.AddDays(1), 60, 940 * 1.2);
        var rejectedBefore = CopMetrics.MacroRejected.WithLabels(clp.Column).Value;

        await MacroIntake.StoreAsync(store, clp, truth, truth[^1].Date);
        // The live extractor: each day's run refreshes the newest 15 observations.
        for (var i = 0; i < wrong.Count; i++)
        {
            var window = wrong.Take(i + 1).TakeLast(15).ToList();
            var result = await MacroIntake.StoreAsync(store, clp, window, wrong[i].Date);
            Assert.Equal((0, window.Count), (result.Upserted, result.Rejected));
        }

        Assert.Equal(truth[^1].Date, await Sql.ScalarAsync<DateOnly>(cs, $"SELECT max(fecha) FROM macro_daily WHERE {clp.Column} IS NOT NULL"));
        // One quarantine row per bad value, not one per run, each naming series, date, value, rule and reference.
        Assert.Equal(60L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine WHERE source = @s AND reason_code = 'macro_jump'", ("s", "macro:" + clp.Column)));
        var first = await Sql.ScalarAsync<string>(cs, "SELECT raw_payload || ' | ' || reason FROM quarantine ORDER BY id LIMIT 1");
        var reference = truth[^1].Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"{clp.Column} {wrong[0].Date:yyyy-MM-dd} = ", first);
        Assert.Contains($"(reference {reference} on {truth[^1].Date:yyyy-MM-dd})", first);
        Assert.Contains("jump of 20.0 %", first);
        Assert.Contains("exceeds 10 %", first);
        Assert.Equal(60, CopMetrics.MacroRejected.WithLabels(clp.Column).Value - rejectedBefore);
        Assert.Equal(wrong[^1].Date.DayNumber - truth[^1].Date.DayNumber, CopMetrics.MacroSeriesAge.WithLabels(clp.Column).Value);

        var stale = Assert.Single(await store.StaleAsync(Settings.Catalogue));
        Assert.Equal((clp.Column, truth[^1].Date, 60, wrong[0].Date), (stale.Variable, stale.LastAccepted, stale.Waiting, stale.WaitingSince));
        Assert.Contains("cop macro accept", stale.Reason);
        var status = (await store.StatusAsync(Settings.Catalogue)).Single(s => s.Variable == clp.Column);
        Assert.Equal((truth[^1].Date, 60), (status.LastDate, status.Waiting));
    }

    [Fact]
    public async Task Features_keep_the_last_accepted_value_of_a_stale_series_and_models_see_MacroStale_after_max_macro_age()
    {
        var (cs, db, store) = await NewAsync();
        await using var _ = db;
        await new MacroSeeder(store, Settings).SeedFilesAsync([Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", "macro_indicators_daily_2019_2020.csv.gz")]);
        // January 2021: every feature series goes on at its last level, except DXY, whose feed now sends another index.
        var last = new DateOnly(2020, 12, 31);
        foreach (var column in MacroColumns.All)
        {
            var spec = Settings[column];
            var level = (await store.PreviousValueAsync(spec, last.AddDays(1)))!.Value.Value;
            var january = BusinessDays(new DateOnly(2021, 1, 4), 20, column == MacroColumns.Dxy ? level * 1.2 : level);
            var result = await MacroIntake.StoreAsync(store, spec, january, january[^1].Date);
            Assert.Equal(column == MacroColumns.Dxy ? 20 : 0, result.Rejected);
        }
        await using var features = new FeatureStore(cs);
        var builder = new FeatureBuilder("USD/COP", new MacroFeatures(await features.LoadMacroAsync()));
        var barTime = new DateTime(2021, 1, 29, 14, 0, 0, DateTimeKind.Utc);   // 09:00 Bogota, a trading day
        var row = builder.Next(new Cop.Trading.Bar(barTime, 3500, 3501, 3499, 3500.5));
        Assert.True(row.DxyZ is not null && row.DxyChange1d is not null);
        Assert.True(Math.Abs(row.DxyChange1d!.Value) < 0.05, $"dxy_change_1d = {row.DxyChange1d}: the rejected level reached the features");
        Assert.True(row.MacroAsOf <= last, $"macro_as_of {row.MacroAsOf}");
        var maxAge = ShippedConfig.Settings().Trading.Models.MaxMacroAge;
        Assert.Equal(Cop.Trading.Decisions.Readiness.MacroStale, Cop.Trading.Decisions.MarketReadiness.Of(barTime, row.Values(), row.MacroAsOf, maxAge));
    }

    [Fact]
    public async Task Two_rows_with_the_same_date_name_the_file_the_lines_and_the_date_and_store_nothing_of_it()
    {
        var (cs, db, store) = await NewAsync();
        await using var _ = db;
        var dir = Directory.CreateTempSubdirectory("cop-macro-dup-").FullName;
        var file = Path.Combine(dir, "macro_monthly_master.csv");
        await File.WriteAllLinesAsync(file, [",PROD_INDUSTRIAL_USA_M_INDPRO", "2020-01-01,109.1", "2020-02-01,109.4", "2020-02-01,109.5"]);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new MacroSeeder(store, Settings).SeedFolderAsync(dir));
        Assert.Equal($"{file} line 4: date 2020-02-01 is already on line 3 (one row per date); nothing of this file was stored", e.Message);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM macro_monthly"));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Text_in_a_value_cell_and_a_date_after_today_are_quarantined_with_the_original_text_and_their_own_reasons()
    {
        var (cs, db, store) = await NewAsync();
        await using var _ = db;
        var dir = Directory.CreateTempSubdirectory("cop-macro-text-").FullName;
        await File.WriteAllLinesAsync(Path.Combine(dir, "macro_daily.csv"),
            ["fecha,comm_oil_brent_glb_d_brent", "2025-06-26,67.5", "2025-06-27,abc", "2025-06-30,67.6", "2099-01-01,97.8"]);
        var report = await new MacroSeeder(store, Settings, today: () => new DateOnly(2025, 6, 30)).SeedFolderAsync(dir);
        Assert.Equal((2, 2), report.Variables[MacroColumns.Brent]);

        var text = await Sql.ScalarAsync<string>(cs, "SELECT raw_payload || ' | ' || reason FROM quarantine WHERE reason_code = 'macro_not_a_number'");
        Assert.Equal($"{MacroColumns.Brent} 2025-06-27 = abc | {MacroColumns.Brent} 2025-06-27 = abc: macro_daily.csv line 3: 'abc' is not a number", text);
        Assert.Contains("2099-01-01 = 97.8", await Sql.ScalarAsync<string>(cs, "SELECT raw_payload FROM quarantine WHERE reason_code = 'macro_future_date'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM macro_daily WHERE fecha > '2025-06-30' OR 'NaN'::float8 IN (comm_oil_brent_glb_d_brent)"));
        // The series is fresh up to today, not until 2099.
        Assert.Equal(new DateOnly(2025, 6, 30), (await store.StatusAsync(Settings.Catalogue)).Single(s => s.Variable == MacroColumns.Brent).LastDate);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_file_drop_with_text_or_a_repeated_date_fails_the_run_naming_file_line_and_text()
    {
        var dir = Directory.CreateTempSubdirectory("cop-macro-drop-").FullName;
        var colcap = Settings["eqty_index_colcap_col_d_colcap"];
        var path = Path.Combine(dir, colcap.Column + ".csv");
        var source = new Cop.Streams.Macro.Sources.FileDropSource(dir);
        var (from, to) = (new DateOnly(2025, 6, 1), new DateOnly(2025, 6, 30));

        await File.WriteAllLinesAsync(path, ["date,value", "2025-06-26,1620.5", "2025-06-27,abc"]);
        var text = await Assert.ThrowsAsync<MacroSourceException>(() => source.FetchAsync(colcap, from, to));
        Assert.Equal($"{path} line 3: 'abc' is not a number", text.Message);
        Assert.False(text.Transient);

        await File.WriteAllLinesAsync(path, ["date,value", "2025-06-26,1620.5", "2025-06-26,1621.0"]);
        var twice = await Assert.ThrowsAsync<MacroSourceException>(() => source.FetchAsync(colcap, from, to));
        Assert.Equal($"{path} line 3: date 2025-06-26 is already on line 2 (one row per date)", twice.Message);
        Directory.Delete(dir, true);
    }
}
