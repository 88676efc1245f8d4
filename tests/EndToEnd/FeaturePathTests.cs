using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Persistence.Macro;
using System.Collections.Concurrent;
using System.IO.Compression;
using Akka.Actor;
using Akka.Configuration;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Streams.Macro;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Cop.Trading.Features;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>
/// The whole issue-3 path on real PostgreSQL and real data: bar file -> validation -> INSERT
/// (quarantine) -> trigger -> NOTIFY -> BarSeries -> feature UPSERT -> new_features.
/// </summary>
[Collection(EndToEndCollection.Name)]
public class FeaturePathTests(ITestOutputHelper output)
{
    /// <summary>Real data cut from shared/data and kept in the repository (tests/Fixtures/data/README.md).</summary>
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", name);

    private static CopSettings Settings() => ShippedConfig.Settings();

    /// <summary>The real bars of the first half of 2020 (they hold dual-offset days and holidays), plus
    /// lines a feed could send: unreadable, OHLC-inconsistent, a x10 print.</summary>
    private static string WriteSample()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cop-bars-{Guid.NewGuid():N}.csv");
        using var input = new StreamReader(new GZipStream(File.OpenRead(Fixture("usdcop_m5_2020h1.csv.gz")), CompressionMode.Decompress));
        using var output = new StreamWriter(path);
        while (input.ReadLine() is { } line) output.WriteLine(line);
        output.WriteLine("2020-06-01 13:00:00+00:00,USD/COP,not-a-price,1,1,1,0,bad,,");
        output.WriteLine("2020-06-01 13:05:00+00:00,USD/COP,3700,3690,3710,3700,0,bad,,");      // high < low
        output.WriteLine("2020-06-01 13:10:00+00:00,USD/COP,37000,37010,36990,37000,0,bad,,"); // x10
        return path;
    }

    [Fact]
    public async Task Real_bars_become_features_or_quarantine_and_the_rows_equal_an_offline_build()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("path");
        var settings = Settings();
        var file = WriteSample();
        await using var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Fixture("macro_indicators_daily_2019_2020.csv.gz")]);

        var observer = new PathObserver();
        await using var app = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = cs, Log = new TestLogger(output), FeatureWriter = observer.FeatureWriter,
        }, "path");
        await using var bars = new BarStore(cs);
        var ingester = new BarIngester(bars, new QuarantineStore(db), settings.Validation, "test");
        var report = await ingester.IngestFileAsync(file, DateTime.UtcNow);

        output.WriteLine($"read {report.Read}, inserted {report.Inserted}, rejected {string.Join(", ", report.Rejected)}");
        await Eventually.Until(() => observer.FeatureRows >= report.Inserted, TimeSpan.FromSeconds(120),
            $"a feature row committed for each of the {report.Inserted} inserted bars", () => $"{observer.FeatureRows} committed");

        Assert.Equal(6003, report.Read);
        Assert.Equal(report.Read, report.Inserted + report.RejectedTotal);
        foreach (var reason in new[] { "unreadable", "ohlc_inconsistent", "price_out_of_range", "dual_offset", "holiday" })
            Assert.True(report.Rejected.GetValueOrDefault(reason) > 0, $"expected some {reason}");
        Assert.Equal((long)report.RejectedTotal, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine WHERE source = 'test' AND reason_code IS NOT NULL"));
        Assert.Equal((long)report.Inserted, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM inference_features_5m"));

        // The stored rows are exactly what the pure builder computes from the accepted bars.
        await using var store = new FeatureStore(cs);
        var accepted = await store.LoadBarsAsync("USD/COP", null, DateTime.MaxValue.ToUniversalTime(), 100_000);
        var builder = new FeatureBuilder("USD/COP", new MacroFeatures(await store.LoadMacroAsync()));
        var expected = accepted.Select(b => builder.Next(b)).ToList();
        await using var cmd = db.CreateCommand($"SELECT {string.Join(", ", FeatureNames.Ordered)}, macro_as_of FROM inference_features_5m ORDER BY time");
        await using var r = await cmd.ExecuteReaderAsync();
        var i = 0;
        while (await r.ReadAsync())
        {
            for (var k = 0; k < 15; k++)
                Assert.Equal(expected[i].Values()[k], r.IsDBNull(k) ? null : r.GetDouble(k));
            Assert.Equal(expected[i].MacroAsOf, r.IsDBNull(15) ? null : r.GetFieldValue<DateOnly>(15));
            i++;
        }
        Assert.Equal(expected.Count, i);
        Assert.Contains(expected, row => row.IsComplete);   // macro warm-up ends within the sample
        // Daily series published a day late: a complete row's macro is 1 to 6 days old (weekends, holidays).
        Assert.All(expected.Where(row => row.IsComplete), row =>
            Assert.InRange(TradingSession.BogotaDate(row.Time).DayNumber - row.MacroAsOf!.Value.DayNumber, 1, 6));
        File.Delete(file);
    }
}
