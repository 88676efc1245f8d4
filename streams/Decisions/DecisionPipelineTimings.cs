namespace Cop.Streams.Decisions;

/// <summary>The decision pipeline's other delays (hocon: cop.trading.ask-margin, cop.trading.dead-letter-backoff).</summary>
public sealed record DecisionPipelineTimings
{
    public static readonly DecisionPipelineTimings Default = new();

    /// <summary>How much longer than decision-timeout the stream waits for the supervisor's answer:
    /// the supervisor answers after its slowest model's ask, so it needs a moment past it.</summary>
    public TimeSpan AskMargin { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A dead letter that could not be stored is tried again from this delay, doubling up to the max.</summary>
    public TimeSpan DeadLetterMinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan DeadLetterMaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
}
