namespace Cop.Streams.Notifications;

/// <summary>
/// Decides between LISTEN and polling. Closed: LISTEN. After <c>maxFailures</c> consecutive
/// LISTEN failures: Open, poll for <c>resetTimeout</c>. Then HalfOpen: try LISTEN once; a
/// session that connects and catches up closes it, a failure opens it again.
/// Thread-safe: the stream's restart factory and its sessions call it from pool threads.
/// </summary>
public sealed class ListenCircuitBreaker(int maxFailures, TimeSpan resetTimeout, Func<DateTime>? clock = null)
{
    private readonly Func<DateTime> _now = clock ?? (() => DateTime.UtcNow);
    private readonly object _gate = new();
    private int _failures;
    private DateTime _openedAt;

    public CircuitState State { get; private set; } = CircuitState.Closed;

    /// <summary>Raised on every state change (logging and the metric hang off it).</summary>
    public event Action<CircuitState, CircuitState, string>? Transitioned;

    /// <summary>When an open circuit may try LISTEN again.</summary>
    public DateTime RetryListenAt { get { lock (_gate) return _openedAt + resetTimeout; } }

    /// <summary>True when the next session should LISTEN (Closed, or Open long enough to
    /// try again, which moves it to HalfOpen); false means poll.</summary>
    public bool ShouldListen()
    {
        lock (_gate)
        {
            if (State == CircuitState.Open && _now() >= _openedAt + resetTimeout)
                Move(CircuitState.HalfOpen, "reset timeout elapsed, trying LISTEN");
            return State != CircuitState.Open;
        }
    }

    public void RecordSuccess()
    {
        lock (_gate)
        {
            _failures = 0;
            if (State != CircuitState.Closed) Move(CircuitState.Closed, "LISTEN recovered");
        }
    }

    public void RecordFailure(Exception error)
    {
        lock (_gate)
        {
            _failures++;
            if (State == CircuitState.HalfOpen || (State == CircuitState.Closed && _failures >= maxFailures))
            {
                _openedAt = _now();
                Move(CircuitState.Open, $"{_failures} consecutive LISTEN failures, last: {error.GetType().Name}: {error.Message}");
            }
        }
    }

    private void Move(CircuitState to, string why)
    {
        var from = State;
        State = to;
        Transitioned?.Invoke(from, to, why);
    }
}
