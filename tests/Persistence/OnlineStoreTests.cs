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

/// <summary>The online store on a real Redis and the hybrid read's fallback chain.</summary>
[Collection(PersistenceCollection.Name)]
public class OnlineStoreTests
{
    private static double Count(string source, string result) => CopMetrics.FeastRequests.WithLabels(source, result).Value;

    private sealed class CountingSource(IFeatureSource inner) : IFeatureSource
    {
        private int _reads;
        public int Reads => _reads;
        public Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _reads);
            return inner.ReadAsync(symbol, barTime, ct);
        }
    }

    [Fact]
    public async Task Views_have_their_TTLs_and_the_hybrid_read_falls_back_redis_postgres_recompute_counting_each()
    {
        await using var m = await DeployedModelTests.Market.CreateAsync(90);
        var dir = Path.Combine(Path.GetTempPath(), $"cop-redis-{Guid.NewGuid():N}");
        var redisServer = await EmbeddedRedis.StartAsync(dir);
        using var redis = await ConnectionMultiplexer.ConnectAsync(redisServer.Configuration);
        var online = new OnlineFeatureStore(redis);
        var offline = new FeatureReader(m.Db);
        await using var writer = new FeatureStore(m.Cs);
        var bar = m.Bars[70].Time;
        var stored = (await offline.ReadAsync("USD/COP", bar))!;

        // Written views carry the spec's TTLs and read back equal.
        await online.WriteAsync([stored]);
        var db = redis.GetDatabase();
        Assert.InRange((await db.KeyTimeToLiveAsync(OnlineFeatureStore.Key("technical", "USD/COP", bar)))!.Value.TotalMinutes, 29, 30);
        Assert.InRange((await db.KeyTimeToLiveAsync(OnlineFeatureStore.Key("macro", "USD/COP", bar)))!.Value.TotalMinutes, 59, 60);
        Assert.InRange((await db.KeyTimeToLiveAsync(OnlineFeatureStore.Key("state", "USD/COP", bar)))!.Value.TotalMinutes, 4, 5);
        var fromRedis = (await online.ReadAsync("USD/COP", bar))!;
        Assert.Equal(stored.Raw, fromRedis.Raw);
        Assert.Equal(stored.Close, fromRedis.Close);
        Assert.NotNull(stored.MacroAsOf);
        Assert.Equal(stored.MacroAsOf, fromRedis.MacroAsOf);   // readiness reads the same macro age from every tier

        // Outside market hours (a Saturday): Redis first.
        var saturday = new DateTime(2026, 11, 28, 15, 0, 0, DateTimeKind.Utc);
        var openHours = new DateTime(2026, 11, 24, 15, 0, 0, DateTimeKind.Utc);
        // Which tier served is read off this test's own PostgreSQL reader: the postgres counter is
        // shared with test classes that run at the same time.
        var counted = new CountingSource(offline);
        var hybrid = new FeatureReadPolicy(online, counted, new RecomputedFeatures(writer), () => saturday);
        var redisHits = Count("redis", "hit");
        Assert.Equal(stored.Raw, (await hybrid.ReadAsync("USD/COP", bar))!.Raw);
        Assert.Equal(redisHits + 1, Count("redis", "hit"));
        Assert.Equal(0, counted.Reads);

        // In market hours: PostgreSQL first.
        var inHours = new FeatureReadPolicy(online, counted, new RecomputedFeatures(writer), () => openHours);
        await inHours.ReadAsync("USD/COP", bar);
        Assert.Equal(1, counted.Reads);

        // A Redis miss (another bar) falls to PostgreSQL.
        var misses = Count("redis", "miss");
        Assert.NotNull(await hybrid.ReadAsync("USD/COP", m.Bars[71].Time));
        Assert.Equal(misses + 1, Count("redis", "miss"));

        // Redis stopped: counted as errors, PostgreSQL serves; trading goes on.
        await redisServer.DisposeAsync();
        var errors = Count("redis", "error");
        Assert.Equal(stored.Raw, (await hybrid.ReadAsync("USD/COP", bar))!.Raw);
        Assert.Equal(errors + 1, Count("redis", "error"));

        // The feature row gone from PostgreSQL: recomputed from the stored bars by the same builder.
        await Sql.ExecAsync(m.Cs, "DELETE FROM inference_features_5m WHERE time = @t", ("t", bar));
        var recomputes = Count("recompute", "hit");
        var recomputed = (await hybrid.ReadAsync("USD/COP", bar))!;
        Assert.Equal(recomputes + 1, Count("recompute", "hit"));
        Assert.Equal(stored.Raw[..6], recomputed.Raw[..6]);   // price features: same bars, same builder
        Assert.Equal(stored.Close, recomputed.Close);
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_feature_writer_pushes_each_committed_row_and_survives_a_dead_Redis()
    {
        await using var m = await DeployedModelTests.Market.CreateAsync(40);
        var dir = Path.Combine(Path.GetTempPath(), $"cop-redis-{Guid.NewGuid():N}");
        var redisServer = await EmbeddedRedis.StartAsync(dir);
        using var redis = await ConnectionMultiplexer.ConnectAsync(redisServer.Configuration);
        await using var inner = new FeatureStore(m.Cs);
        var publishing = new FeaturePublisher(inner, new OnlineFeatureStore(redis));
        var bars = await publishing.LoadBarsAsync("USD/COP", null, m.Bars[^1].Time, 1000);
        var builder = new FeatureBuilder("USD/COP", MacroFeatures.Empty);
        var rows = bars.Select(b => builder.Next(b)).ToList();
        await publishing.UpsertAsync(rows);
        var online = new OnlineFeatureStore(redis);
        var pushed = await Eventually.Value(() => online.ReadAsync("USD/COP", rows[^1].Time), TimeSpan.FromSeconds(10), "the last row in Redis");
        Assert.Equal(rows[^1].Values(), pushed.Raw);

        await redisServer.DisposeAsync();
        var failures = CopMetrics.OnlinePushFailures.Value;
        await publishing.LoadBarsAsync("USD/COP", null, m.Bars[^1].Time, 1000);
        Assert.Equal(0, await publishing.UpsertAsync(rows));   // the PostgreSQL write still happens (nothing changed)
        await Eventually.Until(() => CopMetrics.OnlinePushFailures.Value > failures, TimeSpan.FromSeconds(10), "a failed push counted");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task Rows_the_writer_just_committed_are_served_from_memory_equal_to_the_stored_ones()
    {
        await using var m = await DeployedModelTests.Market.CreateAsync(40);
        await using var inner = new FeatureStore(m.Cs);
        var recent = new RecentFeatureRows(capacity: 30);
        var publishing = new FeaturePublisher(inner, online: null, recent);   // no Redis: memory alone
        var bars = await publishing.LoadBarsAsync("USD/COP", null, m.Bars[^1].Time, 1000);
        var builder = new FeatureBuilder("USD/COP", MacroFeatures.Empty);
        await publishing.UpsertAsync([.. bars.Select(b => builder.Next(b))]);
        Assert.Equal(30, recent.Count);   // the oldest ten were evicted

        var offline = new FeatureReader(m.Db);
        var hybrid = new FeatureReadPolicy(null, offline, new RecomputedFeatures(inner), () => new DateTime(2026, 11, 24, 15, 0, 0, DateTimeKind.Utc), recent);
        var (memoryHits, pgHits) = (Count("memory", "hit"), Count("postgres", "hit"));
        var newest = (await hybrid.ReadAsync("USD/COP", bars[^1].Time))!;
        var stored = (await offline.ReadAsync("USD/COP", bars[^1].Time))!;
        Assert.Equal(stored.Raw, newest.Raw);   // the committed row, as PostgreSQL has it
        Assert.Equal(stored.Close, newest.Close);
        Assert.Equal(stored.MacroAsOf, newest.MacroAsOf);
        Assert.Equal(memoryHits + 1, Count("memory", "hit"));
        // An evicted row comes from the next tier (other test classes may count PostgreSQL hits too).
        Assert.Equal((await offline.ReadAsync("USD/COP", bars[0].Time))!.Raw, (await hybrid.ReadAsync("USD/COP", bars[0].Time))!.Raw);
        Assert.Equal(memoryHits + 1, Count("memory", "hit"));
        Assert.True(Count("postgres", "hit") >= pgHits + 1);
    }
}
