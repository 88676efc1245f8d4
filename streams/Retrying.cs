namespace Cop.Streams;

/// <summary>
/// The one retry primitive of Cop's tasks: the watermark commit, a feature unit confirmed, a dead
/// letter stored, a bar the models failed, a TwelveData or macro source call. Every one waits an
/// exponential back-off (the first delay, doubling up to a cap) stretched by up to
/// <see cref="RandomFactor"/> at random, as the actors' back-off supervisors and the graphs'
/// RestartSource do, so the retries of many callers after one outage do not arrive together.
/// The house helper rather than Polly: the graphs' retries wait without limit until shutdown and
/// log every attempt with its delay, and the decision retry repeats on a result (a bar not yet
/// decided), not on an exception, until a deadline; three short loops over one back-off say that
/// more plainly than three pipelines. Polly stays for the macro sources' circuit breaker only,
/// which is a breaker, not a retry (as ListenCircuitBreaker is for LISTEN).
/// </summary>
public static class Retrying
{
    /// <summary>Each delay is stretched by up to this fraction at random (Akka's RestartSettings and
    /// RestartWithBackoff use the same).</summary>
    public const double RandomFactor = 0.2;

    /// <summary>The wait before retry <paramref name="attempt"/> (from 1): first x 2^(attempt-1), at
    /// most <paramref name="max"/>, plus up to <see cref="RandomFactor"/> of it.</summary>
    public static TimeSpan Delay(int attempt, TimeSpan first, TimeSpan max)
    {
        var ticks = Math.Min(first.Ticks * Math.Pow(2, Math.Clamp(attempt - 1, 0, 62)), max.Ticks)
                    * (1 + Random.Shared.NextDouble() * RandomFactor);
        return TimeSpan.FromTicks((long)Math.Min(ticks, TimeSpan.MaxValue.Ticks / 2.0));
    }

    /// <summary>
    /// Until it succeeds or the service stops: an operation the stream must not move on without.
    /// The stage waits (back-pressure) instead of failing, which would end the whole graph and lose
    /// its place.
    /// </summary>
    /// <param name="onFailure">The failure, the attempt number (from 1) and the delay before the next.</param>
    public static async Task UntilDoneAsync(Func<Task> attempt, TimeSpan firstDelay, TimeSpan maxDelay,
        Action<Exception, int, TimeSpan> onFailure, CancellationToken shutdown)
    {
        for (var n = 1; ; n++)
        {
            try { await attempt(); return; }
            catch (Exception e) when (!shutdown.IsCancellationRequested)
            {
                var delay = Delay(n, firstDelay, maxDelay);
                onFailure(e, n, delay);
                await Task.Delay(delay, shutdown);
            }
        }
    }

    /// <summary>
    /// At most <paramref name="maxAttempts"/> tries of a call (an HTTP API), retrying only failures
    /// <paramref name="transient"/> accepts; a permanent failure, or the last one, is thrown.
    /// </summary>
    public static async Task<T> AttemptsAsync<T>(Func<CancellationToken, Task<T>> attempt, int maxAttempts,
        TimeSpan firstDelay, TimeSpan maxDelay, Func<Exception, bool> transient, CancellationToken ct)
    {
        for (var n = 1; ; n++)
        {
            try { return await attempt(ct); }
            catch (Exception e) when (n < maxAttempts && !ct.IsCancellationRequested && transient(e))
            {
                await Task.Delay(Delay(n, firstDelay, maxDelay), ct);
            }
        }
    }

    /// <summary>
    /// While <paramref name="pending"/> holds and <paramref name="giveUpAfter"/> has not passed: waits
    /// the back-off, then runs <paramref name="again"/>. For a retry decided by a result, not an
    /// exception; the caller deals with what is still pending after it.
    /// </summary>
    /// <param name="onRetry">The attempt number (from 1) and the delay before it, told before the wait.</param>
    public static async Task WhilePendingAsync(Func<bool> pending, Func<Task> again, TimeSpan firstDelay, TimeSpan maxDelay,
        TimeSpan giveUpAfter, Action<int, TimeSpan> onRetry, CancellationToken shutdown)
    {
        var giveUpAt = DateTime.UtcNow + giveUpAfter;
        for (var n = 1; DateTime.UtcNow < giveUpAt && pending(); n++)
        {
            var delay = Delay(n, firstDelay, maxDelay);
            onRetry(n, delay);
            await Task.Delay(delay, shutdown);
            await again();
        }
    }
}
