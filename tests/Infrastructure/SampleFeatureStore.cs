using Cop.Host.Application;
using Cop.Persistence.Stores;
using Cop.Streams.Features;
using Cop.Streams.Ingestion;
using Npgsql;

namespace Cop.Tests.Infrastructure;

/// <summary>
/// A database holding the bundled real sample (the 2020h1 bars and the 2019-2020 daily macro file)
/// taken through the real path: the catalogue's macro seeding, the bar validation into
/// usdcop_m5_ohlcv (rejects quarantined), and the feature writer building every stored bar with the
/// one FeatureBuilder (FeatureRebuild, as a BarSeries rebuilds). Built once per test class; the
/// class must be in a collection that declares <see cref="PostgresFixture"/>.
/// </summary>
public sealed class SampleFeatureStore : IAsyncLifetime
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "data", name);

    public string ConnectionString { get; private set; } = "";
    public IngestReport Ingest { get; private set; } = null!;
    public int FeatureRows { get; private set; }

    public async Task InitializeAsync()
    {
        ConnectionString = await SharedPostgres.NewDatabaseAsync("sample");
        var settings = ShippedConfig.Settings();
        await using var db = NpgsqlDataSource.Create(ConnectionString);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Fixture("macro_indicators_daily_2019_2020.csv.gz")]);
        await using var bars = new BarStore(ConnectionString);
        Ingest = await new BarIngester(bars, new QuarantineStore(db), settings.Validation, "sample")
            .IngestFileAsync(Fixture("usdcop_m5_2020h1.csv.gz"), DateTime.UtcNow);
        await using var features = new FeatureStore(ConnectionString);
        var last = await Sql.ScalarAsync<DateTime>(ConnectionString, "SELECT max(time) FROM usdcop_m5_ohlcv");
        await FeatureRebuild.RebuildAsync(features, [("USD/COP", last)], DateTime.MinValue.ToUniversalTime());
        FeatureRows = (int)await Sql.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM inference_features_5m");
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
