namespace Cop.Tests.Infrastructure;

/// <summary>
/// A negative wait: the one kind of fixed wait a test may have, proving that something does NOT
/// happen within a time (a late duplicate, a stream that must not go on). Named so a reader sees
/// the wait is deliberate, with the reason it exists.
/// </summary>
public static class Negative
{
    public static Task For(TimeSpan time, string nothingHappens) =>
        string.IsNullOrWhiteSpace(nothingHappens) ? throw new ArgumentException("say what must not happen", nameof(nothingHappens)) : Task.Delay(time);
}
