using Akka;
using Akka.Streams.Dsl;
using Cop.Persistence.Notifications;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Streams.Notifications;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cop.Host.Infrastructure;

/// <summary>
/// Wires one consumer of one channel: its durable watermarks, its LISTEN breaker, quarantine
/// for refused payloads (malformed, unknown symbol, no such row) and the heartbeat echo. The source and the commit flow come from here.
/// </summary>
public sealed class EventConsumer<TEvent> : IAsyncDisposable where TEvent : IRowEvent
{
    private readonly NpgsqlDataSource _db;
    private readonly CancellationTokenSource _shutdown;

    private readonly IRowEventFeed<TEvent> _feed;

    private EventConsumer(RowChannel<TEvent> channel, IRowEventFeed<TEvent> feed, RowEventSourceContext ctx, NpgsqlDataSource db,
        WatermarkStore store, CancellationTokenSource shutdown)
    {
        Channel = channel;
        _feed = feed;
        Context = ctx;
        _db = db;
        Store = store;
        _shutdown = shutdown;
    }

    public RowChannel<TEvent> Channel { get; }
    public RowEventSourceContext Context { get; }
    public WatermarkStore Store { get; }
    public EventWatermarks Marks => Context.Watermarks;
    public string ListenerName => $"cop-listen-{Channel.Name}";

    public static async Task<EventConsumer<TEvent>> CreateAsync(RowChannel<TEvent> channel, string connectionString,
        string consumer, NotificationSourceSettings settings, ILogger log, Action<string, string>? onHeartbeat = null,
        string? listenConnectionString = null)
    {
        // Watermark commits (one at a time), quarantine and catch-up reads: two connections do.
        var db = NpgsqlDataSource.Create(ConnectionStrings.Pooled(connectionString, $"cop-events-{consumer}", 2));
        var store = new WatermarkStore(db);
        // Watermark rows of symbols outside the catalogue (left by an older version) are not ours to resume.
        var marks = new EventWatermarks(consumer, (await store.LoadAsync(consumer))
            .Where(m => settings.Instruments.Contains(m.Key)).ToDictionary(m => m.Key, m => m.Value));
        var quarantine = new QuarantineStore(db);
        var shutdown = new CancellationTokenSource();
        var ctx = new RowEventSourceContext
        {
            Watermarks = marks,
            Breaker = new ListenCircuitBreaker(settings.BreakerMaxFailures, settings.BreakerResetTimeout),
            Settings = settings,
            Quarantine = quarantine,
            OnHeartbeat = onHeartbeat,
            Log = log,
            Shutdown = shutdown.Token,
        };
        // LISTEN needs a session of its own: direct to PostgreSQL when the pooled string is a pooler (PgBouncer).
        var feed = new PostgresRowEventFeed<TEvent>(listenConnectionString ?? connectionString, db, RowTables.For(channel));
        return new EventConsumer<TEvent>(channel, feed, ctx, db, store, shutdown);
    }

    public Source<TEvent, NotUsed> Source() => RowEventSource.Create(Channel, _feed, Context);

    public Flow<TEvent, TEvent, NotUsed> CommitWatermarks() => RowEventSource.CommitWatermarks<TEvent>(Store, Marks, Context);

    /// <summary>Marks the consumer as stopping, so closing its connection is not reported as a failure.</summary>
    public void Stop() => _shutdown.CancelQuietly();

    public async ValueTask DisposeAsync()
    {
        _shutdown.CancelQuietly();
        // Pooled sockets torn down by the shutdown may already be gone.
        try { await _db.DisposeAsync(); } catch (Exception) { }
    }
}
