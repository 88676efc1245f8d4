using Cop.Streams.Notifications;

namespace Cop.Tests.Streams;

public class ListenCircuitBreakerTests
{
    private DateTime _now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private ListenCircuitBreaker New() => new(3, TimeSpan.FromSeconds(30), () => _now);

    [Fact]
    public void Opens_after_three_consecutive_failures_and_polls_until_the_reset_timeout()
    {
        var b = New();
        b.RecordFailure(new Exception("1"));
        b.RecordFailure(new Exception("2"));
        Assert.True(b.ShouldListen());
        b.RecordFailure(new Exception("3"));
        Assert.Equal(CircuitState.Open, b.State);
        Assert.False(b.ShouldListen());
        _now += TimeSpan.FromSeconds(29);
        Assert.False(b.ShouldListen());
        _now += TimeSpan.FromSeconds(1);
        Assert.True(b.ShouldListen());
        Assert.Equal(CircuitState.HalfOpen, b.State);
    }

    [Fact]
    public void A_success_between_failures_resets_the_count()
    {
        var b = New();
        b.RecordFailure(new Exception());
        b.RecordFailure(new Exception());
        b.RecordSuccess();
        b.RecordFailure(new Exception());
        b.RecordFailure(new Exception());
        Assert.Equal(CircuitState.Closed, b.State);
    }

    [Fact]
    public void Half_open_closes_on_success_and_reopens_on_one_failure()
    {
        var b = New();
        var moves = new List<(CircuitState, CircuitState)>();
        b.Transitioned += (f, t, _) => moves.Add((f, t));
        for (var i = 0; i < 3; i++) b.RecordFailure(new Exception());
        _now += TimeSpan.FromSeconds(30);
        Assert.True(b.ShouldListen());
        b.RecordFailure(new Exception("still down"));
        Assert.Equal(CircuitState.Open, b.State);
        Assert.Equal(_now + TimeSpan.FromSeconds(30), b.RetryListenAt);
        _now += TimeSpan.FromSeconds(30);
        Assert.True(b.ShouldListen());
        b.RecordSuccess();
        Assert.Equal(CircuitState.Closed, b.State);
        Assert.Equal(
            [(CircuitState.Closed, CircuitState.Open), (CircuitState.Open, CircuitState.HalfOpen),
             (CircuitState.HalfOpen, CircuitState.Open), (CircuitState.Open, CircuitState.HalfOpen),
             (CircuitState.HalfOpen, CircuitState.Closed)], moves);
    }
}
