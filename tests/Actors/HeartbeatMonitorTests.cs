using Akka.Actor;
using Cop.Actors.Heartbeat;
using Cop.Tests.Infrastructure;
using Cop.Tests.Streams;
using Cop.Streams.Notifications;
using Xunit.Abstractions;

namespace Cop.Tests.Actors;

[Collection(ActorsCollection.Name)]
public class HeartbeatMonitorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public void A_listener_that_echoes_is_healthy_and_a_silent_one_turns_unhealthy_after_three_beats()
    {
        IActorRef monitor = ActorRefs.Nobody;
        // The "database": echoes every beat on behalf of listener a, never of listener b.
        Func<string, Task> send = payload => { monitor.Tell(new HeartbeatMonitor.Echo("a", payload)); return Task.CompletedTask; };
        monitor = Sys.ActorOf(HeartbeatMonitor.Props(send, TimeSpan.FromMilliseconds(100), ["a", "b"]));

        AwaitAssert(() =>
        {
            var h = monitor.Ask<HeartbeatMonitor.NotifyHealth>(new HeartbeatMonitor.GetHealth()).Result;
            var a = h.Listeners.Single(l => l.Listener == "a");
            var b = h.Listeners.Single(l => l.Listener == "b");
            Assert.True(a.Healthy);
            Assert.NotNull(a.LastRoundTripMs);
            Assert.False(b.Healthy);
            Assert.True(b.Missed >= HeartbeatMonitor.MaxMissed);
            Assert.False(h.Healthy);
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void The_first_beat_waits_its_configured_delay()
    {
        var (late, soon) = (0, 0);
        Sys.ActorOf(HeartbeatMonitor.Props(_ => { Interlocked.Increment(ref late); return Task.CompletedTask; },
            TimeSpan.FromMilliseconds(300), ["a"], firstBeat: TimeSpan.FromHours(1)));
        Sys.ActorOf(HeartbeatMonitor.Props(_ => { Interlocked.Increment(ref soon); return Task.CompletedTask; },
            TimeSpan.FromMilliseconds(300), ["a"], firstBeat: TimeSpan.FromMilliseconds(10)));
        // Five beats of the other take past 1.2 s: long after the old fixed first beat (1 s).
        AwaitCondition(() => Volatile.Read(ref soon) >= 5, TimeSpan.FromSeconds(10));
        Assert.Equal(0, Volatile.Read(ref late));
    }

    [Fact]
    public async Task Heartbeats_travel_through_a_real_listener_end_to_end()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hb");
        IActorRef monitor = ActorRefs.Nobody;
        await using var db = Npgsql.NpgsqlDataSource.Create(cs);
        var ctxEcho = new Action<string, string>((listener, payload) => monitor.Tell(new HeartbeatMonitor.Echo(listener, payload)));
        await using var h = await NotifySourceHarness.StartAsync(this, cs, output: Output, onHeartbeat: ctxEcho);
        monitor = Sys.ActorOf(HeartbeatMonitor.Props(async p =>
        {
            await using var cmd = db.CreateCommand("SELECT pg_notify('system_heartbeat', @p)");
            cmd.Parameters.AddWithValue("p", p);
            await cmd.ExecuteNonQueryAsync();
        }, TimeSpan.FromMilliseconds(200), ["cop-listen-new_ohlcv_bar"]));

        await AwaitAssertAsync(async () =>
        {
            var health = await monitor.Ask<HeartbeatMonitor.NotifyHealth>(new HeartbeatMonitor.GetHealth());
            Assert.True(health.Healthy, string.Join(", ", health.Listeners));
        }, TimeSpan.FromSeconds(10));
    }
}
