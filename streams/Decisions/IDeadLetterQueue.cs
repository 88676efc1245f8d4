namespace Cop.Streams.Decisions;

public sealed record DeadLetter(long Id, string EventId, string EventType, DateTime? EventTimestamp, string Payload, string? Error,
    int RetryCount, int MaxRetries, DateTime? NextRetryAt, string Status, DateTime CreatedAt);

/// <summary>Events that failed past their retries, kept with a retry schedule (the
/// system.dead_letter_queue table): the decision pipeline adds them, the retrier works them off.</summary>
public interface IDeadLetterQueue
{
    /// <summary>Adding the same event again (it failed again before its retry) keeps one entry.</summary>
    Task AddAsync(string eventId, string eventType, DateTime? eventTime, string payloadJson, string error, DateTime now, CancellationToken ct = default);
    Task<IReadOnlyList<DeadLetter>> DueAsync(DateTime now, int limit = 100, CancellationToken ct = default);
    /// <summary>Returns the entry's status after the attempt.</summary>
    Task<string> RecordRetryAsync(long id, bool succeeded, string? error, DateTime now, CancellationToken ct = default);
}
