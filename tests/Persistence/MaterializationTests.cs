using Cop.Trading;
using Cop.Actors.Models;
using Cop.Actors.Telemetry;
using Cop.Persistence.Servers;
using Cop.Persistence.Stores;
using Cop.Tests.Actors;
using Cop.Tests.Infrastructure;
using Cop.Trading.Features;
using StackExchange.Redis;

namespace Cop.Tests.Persistence;

[Collection(PersistenceCollection.Name)]
public class MaterializationTests
{
    [Fact]
    public async Task Materialisation_copies_recent_rows_from_PostgreSQL_into_Redis()
    {
        await using var m = await DeployedModelTests.Market.CreateAsync(30);
        var dir = Path.Combine(Path.GetTempPath(), $"cop-redis-{Guid.NewGuid():N}");
        await using var server = await EmbeddedRedis.StartAsync(dir);
        using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var online = new OnlineFeatureStore(redis);
        Assert.Null(await online.ReadAsync("USD/COP", m.Bars[^1].Time));
        Assert.Equal(10, await online.MaterializeAsync(new FeatureReader(m.Db), m.Bars[20].Time, InstrumentCatalogue.UsdCop));
        Assert.NotNull(await online.ReadAsync("USD/COP", m.Bars[^1].Time));
        Assert.Null(await online.ReadAsync("USD/COP", m.Bars[19].Time));
    }

    [Fact]
    public async Task Materialisation_writes_no_key_for_a_row_of_a_symbol_outside_the_catalogue()
    {
        await using var m = await DeployedModelTests.Market.CreateAsync(30);
        // A feature row written around the feature writer (a superuser's INSERT), for another symbol.
        await Sql.ExecAsync(m.Cs, """
            CREATE TEMP TABLE foreign_row AS SELECT * FROM inference_features_5m WHERE time = (SELECT max(time) FROM inference_features_5m);
            UPDATE foreign_row SET symbol = 'EUR/USD';
            INSERT INTO inference_features_5m SELECT * FROM foreign_row;
            """);
        var dir = Path.Combine(Path.GetTempPath(), $"cop-redis-{Guid.NewGuid():N}");
        await using var server = await EmbeddedRedis.StartAsync(dir);
        using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var online = new OnlineFeatureStore(redis);
        Assert.Equal(10, await online.MaterializeAsync(new FeatureReader(m.Db), m.Bars[20].Time, InstrumentCatalogue.UsdCop));
        Assert.Null(await online.ReadAsync("EUR/USD", m.Bars[^1].Time));
        Assert.NotNull(await online.ReadAsync("USD/COP", m.Bars[^1].Time));
    }
}
