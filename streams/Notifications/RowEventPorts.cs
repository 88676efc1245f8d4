using Cop.Trading;

namespace Cop.Streams.Notifications;

/// <summary>The committed rows behind one channel, and LISTEN on it: what a row-event source
/// reads. Persistence implements it on PostgreSQL; the source only decides when to read.</summary>
public interface IRowEventFeed<TEvent> where TEvent : IRowEvent
{
    /// <summary>The table whose rows the events are (named in quarantine reasons).</summary>
    string Table { get; }

    /// <summary>Opens a dedicated connection that listens on <paramref name="channels"/>.
    /// Each notification is handed to <paramref name="onNotification"/>(channel, payload) from inside
    /// the connection's reads, so the handler must not block.</summary>
    Task<IRowListener<TEvent>> ListenAsync(string listenerName, IReadOnlyList<string> channels,
        Action<string, string> onNotification, CancellationToken ct);

    /// <summary>Polling: the same read as <see cref="IRowListener{TEvent}.ReadAfterAsync"/>, on a pooled connection.</summary>
    Task<List<TEvent>> ReadAfterAsync(Dictionary<string, DateTime> cursor, InstrumentCatalogue instruments,
        int batchSize, EventOrigin origin, CancellationToken ct);
}

/// <summary>One listening connection. Reads run on it, so a dead connection fails the read and the
/// source restarts and catches up.</summary>
public interface IRowListener<TEvent> : IAsyncDisposable where TEvent : IRowEvent
{
    /// <summary>The catalogue's committed rows after the per-symbol <paramref name="cursor"/>, oldest
    /// first, at most <paramref name="batchSize"/>; the cursor moves past what is returned.</summary>
    Task<List<TEvent>> ReadAfterAsync(Dictionary<string, DateTime> cursor, InstrumentCatalogue instruments,
        int batchSize, EventOrigin origin, CancellationToken ct);

    /// <summary>Which of these (symbol, time) keys are committed rows. Callers pass catalogue symbols only.</summary>
    Task<HashSet<(string, DateTime)>> ExistingAsync(IReadOnlyCollection<(string Symbol, DateTime Time)> keys, CancellationToken ct);

    /// <summary>Waits for notifications; false when none came within <paramref name="timeout"/>.</summary>
    Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct);

    /// <summary>A round trip on the connection: silence is proved, not trusted.</summary>
    Task ProbeAsync(CancellationToken ct);
}

/// <summary>A consumer's durable per-symbol watermarks (event_watermarks).</summary>
public interface IWatermarkStore
{
    Task<IReadOnlyDictionary<string, DateTime>> LoadAsync(string consumer, CancellationToken ct = default);
    Task AdvanceAsync(string consumer, IReadOnlyDictionary<string, DateTime> bySymbol, CancellationToken ct = default);
}

/// <summary>Where refused input goes, with its reason (the quarantine table).</summary>
public interface IQuarantine
{
    Task AddAsync(string source, string rawPayload, string reason, string? reasonCode, CancellationToken ct = default);
}
