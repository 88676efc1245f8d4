using Cop.Streams;

namespace Cop.Tests.Streams;

/// <summary>The one task-retry primitive: its back-off, its bounds, and what it retries.</summary>
public class RetryingTests
{
    [Fact]
    public void The_back_off_doubles_to_its_cap_and_is_stretched_by_at_most_the_random_factor()
    {
        var (first, max) = (TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        for (var i = 0; i < 200; i++)
        {
            foreach (var (attempt, nominal) in new[] { (1, 100.0), (2, 200.0), (3, 400.0), (4, 800.0), (5, 1000.0), (40, 1000.0) })
            {
                var ms = Retrying.Delay(attempt, first, max).TotalMilliseconds;
                Assert.InRange(ms, nominal, nominal * (1 + Retrying.RandomFactor));
            }
        }
        Assert.True(Retrying.Delay(100, TimeSpan.FromSeconds(1), TimeSpan.MaxValue) > TimeSpan.FromDays(1));   // no cap: no overflow
    }

    [Fact]
    public async Task Attempts_retry_transient_failures_only_and_throw_the_last_one()
    {
        var calls = 0;
        var ok = await Retrying.AttemptsAsync(_ => ++calls < 3 ? throw new TimeoutException("slow") : Task.FromResult(42),
            4, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), e => e is TimeoutException, CancellationToken.None);
        Assert.Equal((42, 3), (ok, calls));

        calls = 0;
        await Assert.ThrowsAsync<TimeoutException>(() => Retrying.AttemptsAsync<int>(_ => { calls++; throw new TimeoutException("slow"); },
            3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), e => e is TimeoutException, CancellationToken.None));
        Assert.Equal(3, calls);

        calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => Retrying.AttemptsAsync<int>(_ => { calls++; throw new ArgumentException("bad"); },
            3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), e => e is TimeoutException, CancellationToken.None));
        Assert.Equal(1, calls);   // permanent: at once
    }

    [Fact]
    public async Task Until_done_retries_until_success_and_reports_each_failure_with_its_delay()
    {
        var failures = new List<(int Attempt, TimeSpan Delay)>();
        var calls = 0;
        await Retrying.UntilDoneAsync(() => ++calls < 4 ? throw new InvalidOperationException("down") : Task.CompletedTask,
            TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), (_, n, d) => failures.Add((n, d)), CancellationToken.None);
        Assert.Equal(4, calls);
        Assert.Equal([1, 2, 3], failures.Select(f => f.Attempt));
        Assert.All(failures, f => Assert.InRange(f.Delay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2 * (1 + Retrying.RandomFactor))));

        using var stop = new CancellationTokenSource();
        var stopped = Retrying.UntilDoneAsync(() => throw new InvalidOperationException("down"), TimeSpan.FromMilliseconds(1),
            TimeSpan.FromMilliseconds(5), (_, n, _) => { if (n == 3) stop.Cancel(); }, stop.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped);   // shutdown ends it
    }

    [Fact]
    public async Task While_pending_retries_a_result_and_gives_up_after_its_time()
    {
        var left = 3;
        var retries = 0;
        await Retrying.WhilePendingAsync(() => left > 0, () => { left--; return Task.CompletedTask; }, TimeSpan.FromMilliseconds(1),
            TimeSpan.FromMilliseconds(2), TimeSpan.FromMinutes(1), (_, _) => retries++, CancellationToken.None);
        Assert.Equal((0, 3), (left, retries));

        var tried = 0;
        await Retrying.WhilePendingAsync(() => true, () => { tried++; return Task.CompletedTask; }, TimeSpan.FromMilliseconds(1),
            TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(50), (_, _) => { }, CancellationToken.None);
        Assert.True(tried >= 1);   // returned (still pending) once its time was up
    }
}
