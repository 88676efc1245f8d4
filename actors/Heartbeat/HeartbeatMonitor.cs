using Akka.Actor;
using Akka.Event;
using Cop.Actors.Telemetry;

namespace Cop.Actors.Heartbeat;

/// <summary>
/// Proves end-to-end NOTIFY delivery: every interval it sends a system_heartbeat NOTIFY and
/// expects each listener to echo it back. A listener that misses MaxMissed beats in a row is
/// unhealthy (gauge 0, critical log); one that echoes again is healthy.
/// </summary>
public sealed class HeartbeatMonitor : ReceiveActor, IWithTimers
{
    public const int MaxMissed = 3;

    // Protocol
    public sealed record Echo(string Listener, string Payload);
    public sealed record GetHealth;
    public sealed record ListenerHealth(string Listener, bool Healthy, int Missed, DateTime? LastEchoAt, double? LastRoundTripMs);
    public sealed record NotifyHealth(IReadOnlyList<ListenerHealth> Listeners)
    {
        public bool Healthy => Listeners.Count > 0 && Listeners.All(l => l.Healthy);
    }
    private sealed record Tick;
    private sealed record Sent(string Payload, DateTime At);
    private sealed record SendFailed(Exception Error);

    private sealed class State
    {
        public int Missed;
        public bool EchoedCurrent;
        public DateTime? LastEchoAt;
        public double? LastRoundTripMs;
    }

    private readonly Dictionary<string, State> _listeners = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Sent? _current;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="send">Sends the payload on system_heartbeat (a pg_notify on a pooled connection).</param>
    /// <param name="listeners">Listeners expected to echo (known up front so a silent one counts).</param>
    /// <param name="firstBeat">The first beat waits this long so listeners starting alongside can LISTEN first (hocon: cop.notify.heartbeat-first-beat).</param>
    public HeartbeatMonitor(Func<string, Task> send, TimeSpan interval, IEnumerable<string> listeners, TimeSpan firstBeat)
    {
        foreach (var l in listeners) _listeners[l] = new State();

        Receive<Tick>(_ =>
        {
            if (_current is not null) ScoreBeat();
            // The beat is current before it is sent: its echo can arrive before the send returns.
            _current = new Sent($"hb-{Guid.NewGuid():N}", DateTime.UtcNow);
            foreach (var st in _listeners.Values) st.EchoedCurrent = false;
            send(_current.Payload).PipeTo(Self, success: () => Status.Success.Instance, failure: e => new SendFailed(e));
        });
        Receive<Status.Success>(_ => { });
        Receive<SendFailed>(f => _log.Warning("Heartbeat NOTIFY could not be sent: {0}", f.Error.Message));
        Receive<Echo>(e =>
        {
            if (_current is null || e.Payload != _current.Payload) return; // stale beat
            if (!_listeners.TryGetValue(e.Listener, out var st)) _listeners[e.Listener] = st = new State();
            var now = DateTime.UtcNow;
            if (st.Missed >= MaxMissed) _log.Info("Listener {0} echoes heartbeats again", e.Listener);
            st.EchoedCurrent = true;
            st.Missed = 0;
            st.LastEchoAt = now;
            st.LastRoundTripMs = (now - _current.At).TotalMilliseconds;
            CopMetrics.NotifyHeartbeatStatus.WithLabels(e.Listener).Set(1);
        });
        Receive<GetHealth>(_ => Sender.Tell(new NotifyHealth(_listeners
            .Select(kv => new ListenerHealth(kv.Key, kv.Value.Missed < MaxMissed && kv.Value.LastEchoAt is not null,
                kv.Value.Missed, kv.Value.LastEchoAt, kv.Value.LastRoundTripMs))
            .OrderBy(l => l.Listener).ToList())));

        Timers.StartPeriodicTimer("beat", new Tick(), firstBeat, interval);
    }

    private void ScoreBeat()
    {
        foreach (var (name, st) in _listeners)
        {
            if (st.EchoedCurrent) continue;
            st.Missed++;
            if (st.Missed == MaxMissed)
            {
                CopMetrics.NotifySystemDown.Inc();
                _log.Error("Listener {0} missed {1} heartbeats: NOTIFY delivery is down (last echo {2:O})", name, st.Missed, st.LastEchoAt);
            }
            if (st.Missed >= MaxMissed) CopMetrics.NotifyHeartbeatStatus.WithLabels(name).Set(0);
        }
    }

    public static Props Props(Func<string, Task> send, TimeSpan interval, IEnumerable<string> listeners, TimeSpan? firstBeat = null) =>
        Akka.Actor.Props.Create(() => new HeartbeatMonitor(send, interval, listeners, firstBeat ?? TimeSpan.FromSeconds(1)));
}
