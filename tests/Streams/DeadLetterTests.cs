using Cop.Actors.Models;
using Cop.Trading.Features;
using Cop.Persistence.Stores;
using Cop.Streams.Decisions;
using Cop.Tests.Actors;
using Cop.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Akka.Streams.Dsl;
using Akka.Streams;
using Akka.Streams.TestKit;
using Cop.Streams.Notifications;

namespace Cop.Tests.Streams;

[Collection(StreamsCollection.Name)]
public class DeadLetterTests
{
    /// <summary>Hides one bar's features until told otherwise (an injected failure).</summary>
    private sealed class GappyFeatures(IFeatureSource inner, DateTime hidden) : IFeatureSource
    {
        public volatile bool Hide = true;
        public Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default) =>
            Hide && barTime == hidden ? Task.FromResult<FeatureSnapshot?>(null) : inner.ReadAsync(symbol, barTime, ct);
    }

    [Fact]
    public async Task A_failed_bar_is_dead_lettered_and_retried_after_1_5_and_15_minutes_then_exhausted_or_resolved()
    {
        await using var m = await DeployedModelTests.Market.CreateAsync(100);
        var bars = m.Bars.Skip(60).ToArray();
        var features = new GappyFeatures(new FeatureReader(m.Db), bars[0].Time);
        using var system = DeployedModelTests.NewSystem(m.Cs);
        var models = DeployedModelTests.Supervisor(system, m, new DecisionStore(m.Db), features: features);
        await DeployedModelTests.WaitForModels(models, 1);
        var dlq = new DeadLetterStore(m.Db);

        // The pipeline: bar 0 fails for the baseline and is dead-lettered; the stream goes on.
        var events = bars.Take(1).Select(b => new FeaturesWritten("USD/COP", b.Time, "cop-features/1", true, null, EventOrigin.Notify));
        var passed = await Source.From(events).Via(DecisionPipeline.Decide(models, dlq, TimeSpan.FromSeconds(5), NullLogger.Instance, retryFor: TimeSpan.FromSeconds(1)))
            .RunWith(Sink.Seq<FeaturesWritten>(), system.Materializer());
        Assert.Single(passed);
        var letter = Assert.Single(await dlq.ListAsync());
        Assert.Equal(("PENDING", 0, DecisionPipeline.EventId(BaselinePolicy.ModelId, "USD/COP", bars[0].Time)), (letter.Status, letter.RetryCount, letter.EventId));
        Assert.Contains("no feature row", letter.Error);

        var retrier = new DeadLetterRetrier(dlq, models, TimeSpan.FromSeconds(5), new DecisionStore(m.Db));
        var t0 = letter.CreatedAt;
        Assert.Empty(await retrier.RetryDueAsync(t0.AddSeconds(59)));                    // not due before 1 min
        // The features stay missing: each retry fails, on the schedule.
        Assert.Equal("PENDING", Assert.Single(await retrier.RetryDueAsync(t0.AddMinutes(1.1))).Status);
        Assert.Equal(t0.AddMinutes(1.1) + TimeSpan.FromMinutes(5), (await dlq.ListAsync()).Single().NextRetryAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Empty(await retrier.RetryDueAsync(t0.AddMinutes(6)));                      // 5 min not yet over
        Assert.Equal("PENDING", Assert.Single(await retrier.RetryDueAsync(t0.AddMinutes(6.2))).Status);
        Assert.Equal("EXHAUSTED", Assert.Single(await retrier.RetryDueAsync(t0.AddMinutes(21.3))).Status);
        Assert.Equal(3, (await dlq.ListAsync()).Single().RetryCount);

        // `cop dlq retry` once the cause is fixed: the bar is decided, the entry resolved.
        features.Hide = false;
        await dlq.RetryNowAsync(letter.Id, t0.AddMinutes(30));
        Assert.Equal("RESOLVED", Assert.Single(await retrier.RetryDueAsync(t0.AddMinutes(30))).Status);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences WHERE bar_time = @t", ("t", bars[0].Time)));
        Assert.Throws<ArgumentException>(() => dlq.RetryNowAsync(letter.Id, t0).GetAwaiter().GetResult());   // resolved stays resolved
    }

    [Fact]
    public async Task A_dead_letter_waits_for_PostgreSQL_to_come_back_and_the_stream_goes_on()
    {
        await using var m = await DeployedModelTests.Market.CreateAsync(100);
        var bars = m.Bars.Skip(60).Take(3).ToArray();
        var features = new GappyFeatures(new FeatureReader(m.Db), bars[0].Time);   // bar 0 cannot be decided
        using var system = DeployedModelTests.NewSystem(m.Cs);
        var models = DeployedModelTests.Supervisor(system, m, new DecisionStore(m.Db), features: features);
        await DeployedModelTests.WaitForModels(models, 1);

        // The dead-letter queue's database is down when bar 0 is given up on.
        var dir = Path.Combine(Path.GetTempPath(), $"cop-dlq-{Guid.NewGuid():N}");
        await using var pg = await Cop.Persistence.Servers.EmbeddedPostgres.StartAsync(
            new Cop.Persistence.Servers.EmbeddedPostgresOptions { DataDirectory = dir, Durable = false });
        try
        {
            Cop.Persistence.Schema.DatabaseMigrator.Apply(pg.ConnectionString);
            await using var dlqDb = Npgsql.NpgsqlDataSource.Create(pg.ConnectionString);
            var dlq = new DeadLetterStore(dlqDb);
            await pg.StopAsync();
            var events = bars.Select(b => new FeaturesWritten("USD/COP", b.Time, "cop-features/1", true, null, EventOrigin.Notify));
            using var kit = new Akka.TestKit.Xunit2.TestKit(system);   // the probes' host; the system stays the journaled one
            var passed = Source.From(events)
                .Via(DecisionPipeline.Decide(models, dlq, TimeSpan.FromSeconds(5), NullLogger.Instance, retryFor: TimeSpan.FromMilliseconds(200)))
                .RunWith(kit.SinkProbe<FeaturesWritten>(), system.Materializer());
            passed.Request(3);
            // Negative: neither an event, nor completion, nor failure while bar 0's dead letter cannot be stored.
            await passed.ExpectNoMsgAsync(TimeSpan.FromSeconds(2));
            await pg.RestartAsync();

            var through = 0;
            await foreach (var _ in passed.ExpectNextNAsync(3, TimeSpan.FromSeconds(30))) through++;
            Assert.Equal(3, through);   // not failed: every event passed
            await passed.ExpectCompleteAsync();
            Assert.Equal(DecisionPipeline.EventId(BaselinePolicy.ModelId, "USD/COP", bars[0].Time), Assert.Single(await dlq.ListAsync()).EventId);
            Assert.Equal(2L, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences"));   // bars 1 and 2
        }
        finally
        {
            await pg.StopAsync();
            try { Directory.Delete(dir, true); } catch (Exception) { }
        }
    }
}
