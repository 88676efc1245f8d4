using Cop.Host.Application;
using Cop.Persistence.Macro;
using Akka.Actor;
using Cop.Actors.Features;
using Cop.Actors.Macro;
using Cop.Persistence.Stores;
using Cop.Streams.Macro;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Cop.Trading.Features;
using Cop.Trading.Macro;
using Npgsql;

namespace Cop.Tests.Host;

/// <summary>`cop macro accept` and `cop macro reject` (issue 13) on a real PostgreSQL: the decision
/// is recorded, later validation follows it, and the feature rows built on rejected values are
/// rebuilt without them (by the command, and by a running BarSeries for the bars after it).</summary>
[Collection(HostCollection.Name)]
public class MacroReviewTests
{
    private const string Symbol = "USD/COP";
    private static readonly MacroSettings Settings = ShippedConfig.Settings().Macro;
    private static readonly MacroVariableSpec Dxy = Settings[MacroColumns.Dxy];

    private static List<MacroValue> BusinessDays(DateOnly from, DateOnly to, Func<int, double> level)
    {
        var values = new List<MacroValue>();
        for (var d = from; d <= to; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) values.Add(new MacroValue(d, level(values.Count)));
        return values;
    }

    private static async Task<List<(DateTime Time, double? DxyZ, double? DxyChange)>> DxyFeaturesAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT time, dxy_z, dxy_change_1d FROM inference_features_5m ORDER BY time", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(DateTime, double?, double?)>();
        while (await r.ReadAsync()) rows.Add((r.GetDateTime(0), r.IsDBNull(1) ? null : r.GetDouble(1), r.IsDBNull(2) ? null : r.GetDouble(2)));
        return rows;
    }

    [Fact]
    public async Task Accept_makes_a_new_level_accepted_from_its_date_records_the_decision_and_later_runs_follow_it()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("macroaccept");
        await using var db = NpgsqlDataSource.Create(cs);
        var store = new MacroStore(db);
        await using var features = new FeatureStore(cs);
        var truth = BusinessDays(new(2025, 1, 1), new(2025, 2, 28), i => 104 + 0.01 * i);
        var rebased = BusinessDays(new(2025, 3, 3), new(2025, 3, 28), i => 125 + 0.01 * i);   // the provider rebased its index
        await MacroIntake.StoreAsync(store, Dxy, truth, truth[^1].Date);
        foreach (var v in rebased) await MacroIntake.StoreAsync(store, Dxy, [v], v.Date);
        Assert.Equal(rebased.Count, Assert.Single(await store.StaleAsync(Settings.Catalogue)).Waiting);

        var parquet = Directory.CreateTempSubdirectory("cop-macro-accept-").FullName;
        var review = new MacroReview(store, Settings with { ParquetDirectory = parquet }, features, () => new DateOnly(2025, 3, 28));
        var report = await review.AcceptAsync(Dxy.Column, rebased[0].Date, "provider rebased DXY (notice 2025-03-03)", "ops@test");

        Assert.Equal((rebased.Count, 0), (report.Accepted, report.Rejected));
        var stored = await store.PublishedValuesAsync(Dxy, rebased[0].Date);
        Assert.Equal(rebased, stored);
        Assert.Empty(await store.StaleAsync(Settings.Catalogue));
        Assert.Equal($"accept {rebased[0].Date:yyyy-MM-dd} ops@test provider rebased DXY (notice 2025-03-03) {rebased.Count}",
            await Sql.ScalarAsync<string>(cs, "SELECT action || ' ' || from_date || ' ' || decided_by || ' ' || reason || ' ' || values_accepted FROM macro_decisions"));
        Assert.True(await Sql.ScalarAsync<bool>(cs, "SELECT decided_at > NOW() - interval '1 minute' FROM macro_decisions"));

        // The next live refresh fetches across the decision's date: nothing is rejected again, and a
        // new value near the new level passes.
        var window = truth.TakeLast(5).Concat(rebased).Append(new MacroValue(new DateOnly(2025, 3, 31), 125.3)).ToList();
        var refresh = await MacroIntake.StoreAsync(store, Dxy, window, new DateOnly(2025, 3, 31));
        Assert.Equal(0, refresh.Rejected);
        Assert.Equal(125.3, (await store.PublishedValuesAsync(Dxy, new DateOnly(2025, 3, 31))).Single().Value);
        Directory.Delete(parquet, true);
    }

    [Fact]
    public async Task Reject_quarantines_an_accepted_range_refills_it_and_the_feature_rows_no_longer_use_it()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("macroreject");
        await using var db = NpgsqlDataSource.Create(cs);
        var store = new MacroStore(db);
        await using var features = new FeatureStore(cs);
        var today = new DateOnly(2024, 1, 19);
        // A subtle wrong feed on 01-08 and 01-09 (+4 %, inside max-jump): validation accepted it.
        var (bad1, bad2) = (new DateOnly(2024, 1, 8), new DateOnly(2024, 1, 9));
        var dxy = BusinessDays(new(2023, 9, 1), today, i => 104 + 0.02 * i + 0.3 * Math.Sin(i))
            .Select(v => v.Date == bad1 || v.Date == bad2 ? v with { Value = v.Value * 1.04 } : v).ToList();
        Assert.Equal(0, (await MacroIntake.StoreAsync(store, Dxy, dxy, today)).Rejected);
        await Sql.InsertBarsAsync(cs, 0, 3000);   // 2024-01-02 13:00 UTC .. 2024-01-12

        // The feature writer builds the rows, as in production.
        using var system = Sql.JournaledSystem(cs, "macro-reject");
        var series = system.ActorOf(BarSeries.Props(Symbol, "5m", features, new BarSeriesSettings { MacroRefresh = TimeSpan.Zero }));
        await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo(Symbol, "5m", Sql.BarTime(2999)), TimeSpan.FromSeconds(60));
        var before = await DxyFeaturesAsync(cs);
        var afterBad = TradingSession.BogotaMidnightUtc(Dxy.AvailableOn(bad1));
        var row = before.First(r => r.Time >= afterBad);
        Assert.True(row.DxyChange > 0.035, $"the bad value reached the features: {row.DxyChange}");

        var parquet = Directory.CreateTempSubdirectory("cop-macro-reject-").FullName;
        var review = new MacroReview(store, Settings with { ParquetDirectory = parquet }, features, () => today);
        var report = await review.RejectAsync(Dxy.Column, bad1, bad2, "provider sent another index", "ops@test");

        Assert.Equal(2, report.Rejected);
        Assert.True(report.FeatureRowsRebuilt > 0);
        Assert.Equal(2L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine WHERE reason_code = 'macro_operator_rejected' AND reason LIKE '%ops@test%provider sent another index'"));
        // Forward fill carries the last good value (01-05) over the rejected dates, marked filled.
        var friday = dxy.Single(v => v.Date == new DateOnly(2024, 1, 5)).Value;
        Assert.Equal(2L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM macro_daily WHERE fecha IN ('2024-01-08', '2024-01-09') AND {Dxy.Column} = @v AND '{Dxy.Column}' = ANY(filled_columns)", ("v", friday)));
        Assert.True(File.Exists(Path.Combine(parquet, MacroParquet.FileName(MacroFrequency.Daily))));   // masters regenerated
        Assert.Equal("reject ops@test 2", await Sql.ScalarAsync<string>(cs, "SELECT action || ' ' || decided_by || ' ' || values_rejected FROM macro_decisions"));

        // Every feature row equals a fresh build on the macro values left, and the bad ones are gone.
        var expected = Build(await features.LoadMacroAsync(), 3000);
        var rebuilt = await DxyFeaturesAsync(cs);
        Assert.Equal(expected.Select(e => (e.Time, e.DxyZ, e.DxyChange1d)), rebuilt);
        Assert.NotEqual(before, rebuilt);
        Assert.True(rebuilt.First(r => r.Time >= afterBad).DxyChange < 0.01);

        // The running BarSeries dropped the withdrawn values too: the bars after the decision match.
        await Sql.InsertBarsAsync(cs, 3000, 3100);
        await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo(Symbol, "5m", Sql.BarTime(3099)), TimeSpan.FromSeconds(60));
        var live = Build(await features.LoadMacroAsync(), 3100).Skip(3000).Select(e => (e.Time, e.DxyZ, e.DxyChange1d));
        Assert.Equal(live, (await DxyFeaturesAsync(cs)).Skip(3000));
        Directory.Delete(parquet, true);
    }

    private static List<FeatureRow> Build(IReadOnlyDictionary<string, IEnumerable<MacroObservation>> macro, int bars)
    {
        var builder = new FeatureBuilder(Symbol, new MacroFeatures(macro));
        return [.. Enumerable.Range(0, bars).Select(i => builder.Next(new Bar(Sql.BarTime(i), 4000 + i * 0.01, 4001 + i * 0.01, 3999 + i * 0.01, 4000.5 + i * 0.01, 0)))];
    }
}
