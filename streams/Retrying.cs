namespace Cop.Streams;

/// <summary>
/// The one retry loop of Cop's graphs: an operation that must happen before the stream moves on
/// (a watermark commit, a feature unit confirmed, a dead letter stored) is tried again with a
/// doubling back-off until it succeeds or the service stops. The stage waits (back-pressure)
/// instead of failing, which would end the whole graph and lose its place.
/// </summary>
public static class Retrying
{
    /// <param name="onFailure">The failure, the attempt number (from 1) and the delay before the next.</param>
    public static async Task UntilDoneAsync(Func<Task> attempt, TimeSpan firstDelay, TimeSpan maxDelay,
        Action<Exception, int, TimeSpan> onFailure, CancellationToken shutdown)
    {
        var delay = firstDelay;
        for (var n = 1; ; n++)
        {
            try { await attempt(); return; }
            catch (Exception e) when (!shutdown.IsCancellationRequested)
            {
                onFailure(e, n, delay);
                await Task.Delay(delay, shutdown);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, maxDelay.Ticks));
            }
        }
    }
}
