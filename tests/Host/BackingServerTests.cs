using Cop.Host.Commands;
using Cop.Persistence.Servers;
using Cop.Tests.Infrastructure;
using StackExchange.Redis;

namespace Cop.Tests.Host;

[Collection(HostCollection.Name)]
public class BackingServerTests
{
    [Fact]
    public async Task Embedded_redis_starts_on_a_loopback_port_answers_and_stops()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"cop-redis-{Guid.NewGuid():N}");
        var redis = await EmbeddedRedis.StartAsync(dir);
        try
        {
            using (var mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
            {
                var db = mux.GetDatabase();
                await db.StringSetAsync("cop:probe", "1", TimeSpan.FromSeconds(30));
                Assert.Equal("1", (string?)await db.StringGetAsync("cop:probe"));
            }
            await redis.StopAsync();
            await Assert.ThrowsAnyAsync<RedisConnectionException>(async () =>
            {
                using var mux = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},abortConnect=true,connectTimeout=500");
            });
        }
        finally
        {
            await redis.DisposeAsync();
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task An_embedded_cluster_is_reused_by_a_second_launcher_on_the_same_folder()
    {
        var pg = await SharedPostgres.GetAsync();
        var again = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = pg.DataDirectory, Durable = false });
        Assert.Equal(pg.Port, again.Port);
        await again.DisposeAsync(); // does not own it: must not stop it
        Assert.Equal(1, await Sql.ScalarAsync<int>(pg.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task Preflight_receives_every_event_on_real_PostgreSQL()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("pre", migrate: false);
        var r = await PreflightCommand.MeasureAsync(cs, 300);
        Assert.Equal(300, r.Received);
        Assert.Equal(0, r.Errors);
        Assert.True(r.P50 > 0);
    }
}
