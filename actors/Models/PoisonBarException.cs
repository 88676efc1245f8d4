namespace Cop.Actors.Models;

/// <summary>A bar whose decision fails deterministically: the model holds there until it is skipped.</summary>
public sealed class PoisonBarException(string symbol, DateTime bar, string reason)
    : Exception($"poison bar {symbol} {bar:O} ({reason}); the model holds there until `cop dlq skip`")
{
    public DateTime Bar { get; } = bar;
}
