using Cop.Persistence.Servers;
using Cop.Persistence.Schema;
using Cop.Streams.Notifications;
using Cop.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.Streams;

[Collection(StreamsCollection.Name)]
public class NotifySourceTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static Task<int> KillListener(string cs) => Sql.ScalarAsync<int>(cs, """
        SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
         WHERE application_name = 'cop-listen-new_ohlcv_bar' AND datname = current_database()
        """);

    /// <summary>The next <paramref name="count"/> bars out of the stream, each within <paramref name="within"/>.</summary>
    private static async Task ExpectBars(NotifySourceHarness h, int count, TimeSpan within)
    {
        await foreach (var _ in h.Out.ExpectNextNAsync(count, within)) { }
    }

    [Fact]
    public async Task Ten_thousand_bars_arrive_exactly_once_while_the_listener_is_killed_repeatedly()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("kill");
        await using var h = await NotifySourceHarness.StartAsync(this, cs, output: Output);
        await h.WaitForAsync(() => h.Breaker.State == CircuitState.Closed && h.Marks.ReadFrom().Count == 0, TimeSpan.FromSeconds(5), "start");

        var kills = 0;
        using var stop = new CancellationTokenSource();
        var killer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(400);   // pacing the chaos: a kill every 400 ms, not a wait for anything
                kills += await KillListener(cs);
            }
        });
        for (var i = 0; i < 10_000; i += 100)
        {
            await Sql.InsertBarsAsync(cs, i, i + 100);
            await Task.Delay(5);   // pacing: inserts spread over the kills, not one burst
        }
        await ExpectBars(h, 10_000, TimeSpan.FromSeconds(90));
        stop.Cancel();
        await killer;
        await h.Out.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(1500));   // negative: no late duplicate

        Output?.WriteLine($"listener killed {kills} times; transitions: {string.Join(", ", h.Transitions)}");
        Assert.True(kills >= 3, $"the listener was killed only {kills} times");
        Assert.Equal(10_000, h.Deliveries.Count);
        Assert.All(h.Deliveries, kv => Assert.Equal(1, kv.Value));
        Assert.Contains(h.Events, e => e.Origin == EventOrigin.Notify);
        await h.WaitForAsync(() => h.Marks.Committed().GetValueOrDefault("USD/COP") == Sql.BarTime(9_999), TimeSpan.FromSeconds(10), "watermark");
        Assert.Equal(Sql.BarTime(9_999), await Sql.ScalarAsync<DateTime>(cs,
            "SELECT last_time FROM system.stream_watermarks WHERE consumer = 'test' AND symbol = 'USD/COP'"));
    }

    [Fact]
    public async Task Bars_arrive_exactly_once_across_a_PostgreSQL_restart()
    {
        // Its own cluster: restarting the shared one would disturb other tests.
        var dir = Path.Combine(Path.GetTempPath(), $"cop-restart-{Guid.NewGuid():N}");
        await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dir, Durable = false });
        try
        {
            var cs = pg.ConnectionString;
            DatabaseMigrator.Apply(cs);
            await using var h = await NotifySourceHarness.StartAsync(this, cs, output: Output);

            await Sql.InsertBarsAsync(cs, 0, 500);
            await ExpectBars(h, 500, TimeSpan.FromSeconds(30));

            await pg.StopAsync("immediate");
            await Task.Delay(1000);   // the outage lasts a second (the scenario, not a wait for anything)
            await pg.RestartAsync();
            NpgsqlConnection.ClearAllPools();

            await Sql.InsertBarsAsync(cs, 500, 1000);
            await ExpectBars(h, 500, TimeSpan.FromSeconds(60));
            await h.Out.ExpectNoMsgAsync(TimeSpan.FromSeconds(1));   // negative: no late duplicate after the restart
            Assert.All(h.Deliveries, kv => Assert.Equal(1, kv.Value));
            Output?.WriteLine($"transitions: {string.Join(", ", h.Transitions)}");
        }
        finally
        {
            await pg.StopAsync();
            try { Directory.Delete(dir, true); } catch (Exception) { }
        }
    }

    [Fact]
    public async Task A_malformed_payload_is_quarantined_and_the_stream_goes_on()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("bad");
        await using var h = await NotifySourceHarness.StartAsync(this, cs, output: Output);
        await Sql.InsertBarsAsync(cs, 0, 1);
        await ExpectBars(h, 1, TimeSpan.FromSeconds(10));

        await Sql.ExecAsync(cs, "SELECT pg_notify('new_ohlcv_bar', 'this is not json')");
        await Sql.ExecAsync(cs, """SELECT pg_notify('new_ohlcv_bar', '{"symbol":"USD/COP","close":1}')""");
        await Sql.InsertBarsAsync(cs, 1, 3);

        await ExpectBars(h, 2, TimeSpan.FromSeconds(10));   // the bars after the bad payloads
        var reasons = new List<string>();
        await h.WaitForAsync(() =>
        {
            reasons = Sql.ScalarAsync<string[]>(cs, "SELECT coalesce(array_agg(reason ORDER BY id), '{}') FROM quarantine WHERE source = 'notify:new_ohlcv_bar'").Result.ToList();
            return reasons.Count == 2;
        }, TimeSpan.FromSeconds(10), "two quarantine rows");
        Assert.Contains("not JSON", reasons[0]);
        Assert.Contains("'time'", reasons[1]);
        Assert.All(h.Deliveries, kv => Assert.Equal(1, kv.Value));
    }

    [Fact]
    public async Task The_breaker_opens_polls_and_closes_again_when_LISTEN_recovers()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("brk");
        await using var h = await NotifySourceHarness.StartAsync(this, cs, output: Output);
        await Sql.InsertBarsAsync(cs, 0, 10);
        await ExpectBars(h, 10, TimeSpan.FromSeconds(10));

        // LISTEN "keeps failing": every listener backend is killed as soon as it appears.
        using var stop = new CancellationTokenSource();
        var killer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) { await KillListener(cs); await Task.Delay(10); }   // pacing the kills
        });
        await h.WaitForAsync(() => h.Breaker.State == CircuitState.Open, TimeSpan.FromSeconds(20), "breaker to open");

        // While open, polling still delivers.
        await Sql.InsertBarsAsync(cs, 10, 20);
        await ExpectBars(h, 10, TimeSpan.FromSeconds(10));   // the bars while polling
        Assert.Contains(h.Events, e => e.Origin == EventOrigin.Poll);

        stop.Cancel();
        await killer;
        await h.WaitForAsync(() => h.Breaker.State == CircuitState.Closed, TimeSpan.FromSeconds(20), "breaker to close");
        await Sql.InsertBarsAsync(cs, 20, 30);
        await ExpectBars(h, 10, TimeSpan.FromSeconds(10));   // the bars after recovery
        Assert.Equal(EventOrigin.Notify, h.Events.Last().Origin);
        Assert.All(h.Deliveries, kv => Assert.Equal(1, kv.Value));
        lock (h.Transitions)
        {
            Assert.Contains((CircuitState.Closed, CircuitState.Open), h.Transitions);
            Assert.Contains((CircuitState.Open, CircuitState.HalfOpen), h.Transitions);
            Assert.Contains((CircuitState.HalfOpen, CircuitState.Closed), h.Transitions);
        }
    }

    [Fact]
    public async Task A_new_pipeline_resumes_after_the_durable_watermark()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("wm");
        await using (var first = await NotifySourceHarness.StartAsync(this, cs, "resume"))
        {
            await Sql.InsertBarsAsync(cs, 0, 50);
            await first.WaitForAsync(() => first.Marks.Committed().GetValueOrDefault("USD/COP") == Sql.BarTime(49),
                TimeSpan.FromSeconds(10), "first watermark");
        }
        // Committed while nobody listened.
        await Sql.InsertBarsAsync(cs, 50, 80);

        await using var second = await NotifySourceHarness.StartAsync(this, cs, "resume");
        await ExpectBars(second, 30, TimeSpan.FromSeconds(10));   // the catch-up
        await second.Out.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));   // negative: nothing from before the durable watermark
        Assert.Equal(30, second.Deliveries.Count);
        Assert.Equal(Sql.BarTime(50), second.Deliveries.Keys.Min());
        Assert.All(second.Events, e => Assert.Equal(EventOrigin.CatchUp, e.Origin));
    }
}
