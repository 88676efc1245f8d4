using Akka.Util;
using Cop.Actors.Telemetry;
using Cop.Persistence.Schema;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cop.Streams.Notifications;

/// <summary>Reads committed rows after a per-symbol cursor, oldest first, a batch at a time.
/// Shared by catch-up (on the listener's own connection) and polling (pooled connections).</summary>
internal static class CatchUpQuery
{
    public static async Task<List<TEvent>> ReadBatchAsync<TEvent>(
        NpgsqlConnection conn, RowChannel<TEvent> channel, Dictionary<string, DateTime> cursor,
        int batchSize, EventOrigin origin, CancellationToken ct) where TEvent : IRowEvent
    {
        // Table and columns come from RowChannel constants; values are parameters.
        // o.time > @floor lets the time index serve the read; symbols the consumer has never
        // seen start at -infinity through the LEFT JOIN.
        var sql = $"""
            SELECT {channel.SelectColumns}
              FROM {channel.Table} o
              LEFT JOIN unnest(@symbols::text[], @afters::timestamptz[]) AS w(symbol, after) ON w.symbol = o.symbol
             WHERE o.time > @floor AND o.time > COALESCE(w.after, '-infinity'::timestamptz)
             ORDER BY o.time, o.symbol
             LIMIT @n
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("symbols", cursor.Keys.ToArray());
        cmd.Parameters.AddWithValue("afters", cursor.Values.Select(v => DateTime.SpecifyKind(v, DateTimeKind.Utc)).ToArray());
        // No cursor at all: from the beginning (Npgsql maps DateTime.MinValue to -infinity).
        var floor = cursor.Count == 0 ? DateTime.MinValue : cursor.Values.Min();
        cmd.Parameters.AddWithValue("floor", DateTime.SpecifyKind(floor, DateTimeKind.Utc));
        cmd.Parameters.AddWithValue("n", batchSize);
        var rows = new List<TEvent>(Math.Min(batchSize, 1024));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var e = channel.FromRow(r, origin);
            rows.Add(e);
            cursor[e.Symbol] = e.Time;
        }
        return rows;
    }
}

/// <summary>Everything a session needs; one per source.</summary>
public sealed class RowEventSourceContext
{
    public required string ConnectionString { get; init; }
    public required NpgsqlDataSource Pooled { get; init; }
    public required EventWatermarks Watermarks { get; init; }
    public required ListenCircuitBreaker Breaker { get; init; }
    public NotificationSourceSettings Settings { get; init; } = new();
    /// <summary>(source, raw payload, reason): where malformed payloads go.</summary>
    public Func<string, string, string, CancellationToken, Task>? Quarantine { get; init; }
    /// <summary>Called with (listener name, payload) for every system_heartbeat seen.</summary>
    public Action<string, string>? OnHeartbeat { get; init; }
    public ILogger Log { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    public CancellationToken Shutdown { get; init; }
}

/// <summary>
/// One LISTEN connection's life: LISTEN first, then catch up from committed rows (so nothing
/// committed while we were away is missed), then live notifications. While a catch-up runs,
/// live notifications wait so that each symbol's events leave in time order.
/// Reads happen only on demand: a slow consumer leaves notifications queued in PostgreSQL.
/// </summary>
internal sealed class ListenSession<TEvent> : IAsyncDisposable where TEvent : IRowEvent
{
    private readonly RowChannel<TEvent> _channel;
    private readonly RowEventSourceContext _ctx;
    private readonly NpgsqlConnection _conn;
    private readonly Queue<TEvent> _live = new();
    private readonly Queue<TEvent> _caughtUp = new();
    private readonly Queue<(string Payload, string Reason)> _malformed = new();
    private Dictionary<string, DateTime>? _catchUpCursor;
    private DateTime _nextCatchUpAt;
    private bool _reportedHealthy;
    private DateTime? _caughtUpAt;

    private ListenSession(RowChannel<TEvent> channel, RowEventSourceContext ctx)
    {
        _channel = channel;
        _ctx = ctx;
        ListenerName = $"cop-listen-{channel.Name}";
        _conn = new NpgsqlConnection(ConnectionStrings.Dedicated(ctx.ConnectionString, ListenerName));
        _conn.Notification += OnNotification;
    }

    public string ListenerName { get; }

    public static async Task<ListenSession<TEvent>> OpenAsync(RowChannel<TEvent> channel, RowEventSourceContext ctx)
    {
        var s = new ListenSession<TEvent>(channel, ctx);
        try
        {
            await s._conn.OpenAsync(ctx.Shutdown);
            // Channel names come from the allow-list (Channels.Name), never from input.
            await using (var listen = new NpgsqlCommand(
                $"LISTEN {channel.Name}; LISTEN {Channels.Name(NotifyChannel.SystemHeartbeat)};", s._conn))
                await listen.ExecuteNonQueryAsync(ctx.Shutdown);
            s._catchUpCursor = new Dictionary<string, DateTime>(ctx.Watermarks.ReadFrom());
            ctx.Log.LogInformation("{Listener} listening on {Channel}; catching up after {Cursor}",
                s.ListenerName, channel.Name, EventWatermarks.Describe(s._catchUpCursor));
            return s;
        }
        catch (Exception e)
        {
            ctx.Breaker.RecordFailure(e);
            CopMetrics.PostgresConnectionHealth.WithLabels(s.ListenerName).Set(0);
            await s.DisposeAsync();
            throw;
        }
    }

    public async Task<Option<TEvent>> ReadAsync()
    {
        try
        {
            return await ReadCoreAsync();
        }
        catch (Exception e) when (!_ctx.Shutdown.IsCancellationRequested)
        {
            _ctx.Breaker.RecordFailure(e);
            CopMetrics.PostgresConnectionHealth.WithLabels(ListenerName).Set(0);
            _ctx.Log.LogWarning("{Listener} lost its connection ({Error}); the source restarts with back-off and catches up",
                ListenerName, e.Message);
            throw;
        }
    }

    private async Task<Option<TEvent>> ReadCoreAsync()
    {
        while (!_ctx.Shutdown.IsCancellationRequested)
        {
            // Rows read back from the table go first: they are older than anything live.
            if (_caughtUp.TryDequeue(out var old)) return old;
            if (_catchUpCursor is not null)
            {
                var batch = await CatchUpQuery.ReadBatchAsync(_conn, _channel, _catchUpCursor,
                    _ctx.Settings.CatchUpBatchSize, EventOrigin.CatchUp, _ctx.Shutdown);
                foreach (var e in batch) _caughtUp.Enqueue(e);
                if (batch.Count < _ctx.Settings.CatchUpBatchSize) FinishCatchUp();
                continue;
            }
            ReportHealthyOnceStable();
            while (_malformed.TryDequeue(out var bad)) await QuarantineAsync(bad.Payload, bad.Reason);
            if (_live.TryDequeue(out var live)) return live;
            if (DateTime.UtcNow >= _nextCatchUpAt)
            {
                _catchUpCursor = new Dictionary<string, DateTime>(_ctx.Watermarks.ReadFrom());
                continue;
            }
            var wakeAt = _reportedHealthy ? _nextCatchUpAt : Min(_nextCatchUpAt, (_caughtUpAt ?? DateTime.UtcNow) + _ctx.Settings.KeepAlive);
            var waitMs = (int)Math.Min(_ctx.Settings.KeepAlive.TotalMilliseconds,
                Math.Max(1, (wakeAt - DateTime.UtcNow).TotalMilliseconds));
            if (!await _conn.WaitAsync(waitMs, _ctx.Shutdown))
            {
                // Quiet for a while: prove the connection is alive rather than trust silence.
                await using var probe = new NpgsqlCommand("SELECT 1", _conn);
                await probe.ExecuteScalarAsync(_ctx.Shutdown);
            }
        }
        return Option<TEvent>.None;
    }

    private void FinishCatchUp()
    {
        _catchUpCursor = null;
        _nextCatchUpAt = DateTime.UtcNow + _ctx.Settings.CatchUpInterval;
        _caughtUpAt ??= DateTime.UtcNow;
    }

    /// <summary>LISTEN counts as working again only once a session has caught up and then
    /// stayed up for a keepalive period: a connection that dies right after connecting
    /// (flapping) keeps counting as a failure and opens the circuit.</summary>
    private void ReportHealthyOnceStable()
    {
        if (_reportedHealthy || _caughtUpAt is not { } at || DateTime.UtcNow - at < _ctx.Settings.KeepAlive) return;
        _reportedHealthy = true;
        _ctx.Breaker.RecordSuccess();
        CopMetrics.PostgresConnectionHealth.WithLabels(ListenerName).Set(1);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs n)
    {
        if (n.Channel == Channels.Name(NotifyChannel.SystemHeartbeat))
        {
            _ctx.OnHeartbeat?.Invoke(ListenerName, n.Payload);
            return;
        }
        if (n.Channel != _channel.Name) return;
        try
        {
            var e = RowChannels.Parse(_channel, n.Payload);
            if (e.InsertedAt is { } sentAt)
                CopMetrics.NotifyLatency.WithLabels(_channel.Name).Observe(Math.Max(0, (DateTime.UtcNow - sentAt).TotalSeconds));
            _live.Enqueue(e);
        }
        catch (MalformedPayloadException bad)
        {
            // Written from the read loop: this handler runs inside Npgsql's read and must not block.
            _malformed.Enqueue((n.Payload, bad.Message));
        }
    }

    private async Task QuarantineAsync(string payload, string reason)
    {
        CopMetrics.NotifyEvents.WithLabels(_channel.Name, "malformed").Inc();
        CopMetrics.QuarantinedTotal.WithLabels($"notify:{_channel.Name}").Inc();
        _ctx.Log.LogWarning("Malformed payload on {Channel} quarantined: {Reason}", _channel.Name, reason);
        if (_ctx.Quarantine is not null)
            await _ctx.Quarantine($"notify:{_channel.Name}", payload, reason, _ctx.Shutdown);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    public async ValueTask DisposeAsync()
    {
        _conn.Notification -= OnNotification;
        try { await _conn.DisposeAsync(); } catch (Exception) { /* the connection may already be dead */ }
    }
}

/// <summary>
/// Polling while the LISTEN circuit is open (the V6 design, kept as the fallback): reads
/// committed rows after the frontier every PollInterval, and ends when it is time to try
/// LISTEN again, so the restart factory can ask the breaker.
/// </summary>
internal sealed class PollSession<TEvent> where TEvent : IRowEvent
{
    private readonly RowChannel<TEvent> _channel;
    private readonly RowEventSourceContext _ctx;
    private readonly Queue<TEvent> _rows = new();
    private readonly DateTime _until;
    private Dictionary<string, DateTime>? _cursor;

    public PollSession(RowChannel<TEvent> channel, RowEventSourceContext ctx)
    {
        _channel = channel;
        _ctx = ctx;
        _until = ctx.Breaker.RetryListenAt;
        ctx.Log.LogWarning("{Channel}: LISTEN circuit open, polling every {Interval} until {Until:O}",
            channel.Name, ctx.Settings.PollInterval, _until);
    }

    public async Task<Option<TEvent>> ReadAsync()
    {
        while (!_ctx.Shutdown.IsCancellationRequested)
        {
            if (_rows.TryDequeue(out var row)) return row;
            if (DateTime.UtcNow >= _until) return Option<TEvent>.None;
            _cursor ??= new Dictionary<string, DateTime>(_ctx.Watermarks.ReadFrom());
            await using (var conn = await _ctx.Pooled.OpenConnectionAsync(_ctx.Shutdown))
            {
                var batch = await CatchUpQuery.ReadBatchAsync(conn, _channel, _cursor,
                    _ctx.Settings.CatchUpBatchSize, EventOrigin.Poll, _ctx.Shutdown);
                foreach (var e in batch) _rows.Enqueue(e);
                if (batch.Count > 0) continue;
            }
            _cursor = null; // next round re-reads the frontier (it moved as we emitted)
            var left = _until - DateTime.UtcNow;
            await Task.Delay(TimeSpan.FromTicks(Math.Clamp(left.Ticks, 0, _ctx.Settings.PollInterval.Ticks)), _ctx.Shutdown);
        }
        return Option<TEvent>.None;
    }
}
