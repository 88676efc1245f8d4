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
}
