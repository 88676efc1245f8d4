namespace Cop.Tests.Infrastructure;

/// <summary>
/// A positive wait: polls a condition until it holds, failing with what was awaited (and, if
/// given, the state at the deadline) when it does not. Never a fixed sleep: a fast machine goes on
/// as soon as the condition holds, a slow one waits up to the timeout.
/// </summary>
public static class Eventually
{
    // Short enough not to slow a test down, long enough not to hammer PostgreSQL with reads.
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    public static Task Until(Func<bool> condition, TimeSpan timeout, string what, Func<string>? state = null) =>
        Until(() => Task.FromResult(condition()), timeout, what, state);

    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{(state is null ? "" : ": " + state())}");
            await Task.Delay(Poll);
        }
    }

    /// <summary>Polls <paramref name="attempt"/> until it yields a value (not null), and returns it.</summary>
    public static async Task<T> Value<T>(Func<Task<T?>> attempt, TimeSpan timeout, string what) where T : class
    {
        T? value = null;
        await Until(async () => (value = await attempt()) is not null, timeout, what);
        return value!;
    }

    /// <summary>Reads until <paramref name="done"/> holds of what was read, and returns it. A read that
    /// throws (a pooled connection a crash broke, an actor restarting) is read again; the timeout
    /// names the last value or error. <paramref name="every"/>: a slower poll for a heavy read.</summary>
    public static async Task<T> Read<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            object? last;
            try { var value = await read(); if (done(value)) return value; last = value; }
            catch (Exception e) { last = e.Message; }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}: still {last}");
            await Task.Delay(every ?? Poll);
        }
    }

    /// <summary>Awaits what an observer completes (a TaskCompletionSource a port decorator sets), failing with what was awaited.</summary>
    public static async Task Completes(Task observed, TimeSpan timeout, string what)
    {
        try { await observed.WaitAsync(timeout); }
        catch (TimeoutException) when (!observed.IsCompleted)
        {
            throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
        }
    }
}
