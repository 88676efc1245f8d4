namespace Cop.Actors.Macro;

/// <summary>A source failure; transient ones (timeouts, 5xx, 429) are retried and count toward the breaker.</summary>
public sealed class MacroSourceException(string message, bool transient) : Exception(message)
{
    public bool Transient { get; } = transient;
}
