namespace Cop.Streams.Notifications;

public enum Admission { Admitted, Duplicate }

/// <summary>
/// Where one consumer stands, per symbol: <c>Committed</c> is the durable watermark (the key of
/// the last event whose downstream work committed); <c>Frontier</c> is the newest key let into
/// the stream. Sources emit each symbol's events in time order, so "newer than the frontier"
/// is exactly "not seen before": duplicates between catch-up reads and live NOTIFYs, and
/// re-reads after a reconnect, are dropped in O(1) memory per symbol.
/// A bar older than its series' frontier is refused as a duplicate: a series' bars arrive in
/// order (the ingester rejects out-of-order bars before insert).
/// </summary>
public sealed class EventWatermarks
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DateTime> _committed;
    private readonly Dictionary<string, DateTime> _frontier;

    public EventWatermarks(string consumer, IReadOnlyDictionary<string, DateTime>? committed = null)
    {
        Consumer = consumer;
        _committed = committed is null ? new() : new(committed);
        _frontier = new(_committed);
    }

    public string Consumer { get; }

    public Admission TryAdmit(string symbol, DateTime time)
    {
        lock (_gate)
        {
            if (_frontier.TryGetValue(symbol, out var f) && time <= f) return Admission.Duplicate;
            _frontier[symbol] = time;
            return Admission.Admitted;
        }
    }

    /// <summary>Called after the durable watermark was written.</summary>
    public void MarkCommitted(IReadOnlyDictionary<string, DateTime> bySymbol)
    {
        lock (_gate)
            foreach (var (symbol, time) in bySymbol)
                if (!_committed.TryGetValue(symbol, out var c) || time > c) _committed[symbol] = time;
    }

    /// <summary>Catch-up reads start after the frontier: within this process everything up to
    /// it is already in the stream; after a restart the frontier is the durable watermark.</summary>
    public IReadOnlyDictionary<string, DateTime> ReadFrom()
    {
        lock (_gate) return new Dictionary<string, DateTime>(_frontier);
    }

    /// <summary>"USD/COP@2024-01-02T13:00:00Z, ..." for logs and summaries.</summary>
    public static string Describe(IReadOnlyDictionary<string, DateTime> bySymbol) =>
        bySymbol.Count == 0 ? "the beginning" : string.Join(", ", bySymbol.Select(kv => $"{kv.Key}@{kv.Value:O}"));

    public IReadOnlyDictionary<string, DateTime> Committed()
    {
        lock (_gate) return new Dictionary<string, DateTime>(_committed);
    }
}
