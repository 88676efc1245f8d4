using Akka.Util;
using Cop.Actors.Telemetry;
using Cop.Trading;
using Microsoft.Extensions.Logging;

namespace Cop.Streams.Notifications;

/// <summary>Everything a session needs; one per source.</summary>
public sealed class RowEventSourceContext
{
    public required EventWatermarks Watermarks { get; init; }
    public required ListenCircuitBreaker Breaker { get; init; }
    public NotificationSourceSettings Settings { get; init; } = new();
    /// <summary>Where refused payloads go.</summary>
    public IQuarantine? Quarantine { get; init; }
    /// <summary>Called with (listener name, payload) for every system_heartbeat seen.</summary>
    public Action<string, string>? OnHeartbeat { get; init; }
    public ILogger Log { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    public CancellationToken Shutdown { get; init; }
}

/// <summary>
/// One LISTEN connection's life: LISTEN first, then catch up from committed rows (so nothing
/// committed while we were away is missed), then live notifications. A notification is only a
/// wake-up: anyone may call pg_notify, so its payload is never an event. It makes the session read
/// the committed rows after the frontier (what it emits), then checks the payload's claim: a
/// payload naming a symbol outside the catalogue, or a (symbol, time) that is no stored row, is
/// quarantined with its reason and moves nothing.
/// Reads happen only on demand: a slow consumer leaves notifications queued in PostgreSQL.
/// </summary>
internal sealed class ListenSession<TEvent> : IAsyncDisposable where TEvent : IRowEvent
{
    private readonly RowChannel<TEvent> _channel;
    private readonly IRowEventFeed<TEvent> _feed;
    private readonly RowEventSourceContext _ctx;
    private IRowListener<TEvent> _conn = null!;
    private readonly Queue<TEvent> _caughtUp = new();
    // Payloads refused as soon as they are parsed (malformed, or a symbol outside the catalogue): no read for them.
    private readonly Queue<(string Payload, string Reason, string Code)> _refused = new();
    // Payloads that parsed: claims that a row exists, waiting for the read they wake up.
    private readonly Queue<(TEvent Claim, string Payload)> _claims = new();
    // The claims the running read must account for, by key; null when none wakes it.
    private Dictionary<(string, DateTime), (TEvent Claim, string Payload)>? _checking;
    private EventOrigin _readOrigin = EventOrigin.CatchUp;
    private Dictionary<string, DateTime>? _catchUpCursor;
    private DateTime _nextCatchUpAt;
    private bool _reportedHealthy;
    private DateTime? _caughtUpAt;

    private ListenSession(RowChannel<TEvent> channel, IRowEventFeed<TEvent> feed, RowEventSourceContext ctx)
    {
        _channel = channel;
        _feed = feed;
        _ctx = ctx;
        ListenerName = $"cop-listen-{channel.Name}";
    }

    public string ListenerName { get; }

    public static async Task<ListenSession<TEvent>> OpenAsync(RowChannel<TEvent> channel, IRowEventFeed<TEvent> feed, RowEventSourceContext ctx)
    {
        var s = new ListenSession<TEvent>(channel, feed, ctx);
        try
        {
            s._conn = await feed.ListenAsync(s.ListenerName, [channel.Name, Channels.Name(NotifyChannel.SystemHeartbeat)],
                s.OnNotification, ctx.Shutdown);
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
                var batch = await _conn.ReadAfterAsync(_catchUpCursor, _ctx.Settings.Instruments,
                    _ctx.Settings.CatchUpBatchSize, _readOrigin, _ctx.Shutdown);
                foreach (var e in batch) _caughtUp.Enqueue(Answered(e));
                if (batch.Count < _ctx.Settings.CatchUpBatchSize)
                {
                    FinishCatchUp();
                    await CheckClaimsAsync();
                }
                continue;
            }
            ReportHealthyOnceStable();
            while (_refused.TryDequeue(out var bad)) await QuarantineAsync(bad.Payload, bad.Reason, bad.Code);
            if (_claims.Count > 0)
            {
                // Woken up: read what is committed after the frontier; the claims are checked after.
                _checking = new();
                while (_checking.Count < MaxClaimsPerRead && _claims.TryDequeue(out var c)) _checking.TryAdd((c.Claim.Symbol, c.Claim.Time), c);
                StartRead(EventOrigin.Notify);
                continue;
            }
            if (DateTime.UtcNow >= _nextCatchUpAt)
            {
                StartRead(EventOrigin.CatchUp);
                continue;
            }
            var wakeAt = _reportedHealthy ? _nextCatchUpAt : Min(_nextCatchUpAt, (_caughtUpAt ?? DateTime.UtcNow) + _ctx.Settings.KeepAlive);
            var wait = TimeSpan.FromMilliseconds(Math.Min(_ctx.Settings.KeepAlive.TotalMilliseconds,
                Math.Max(1, (wakeAt - DateTime.UtcNow).TotalMilliseconds)));
            // Quiet for a while: prove the connection is alive rather than trust silence.
            if (!await _conn.WaitAsync(wait, _ctx.Shutdown)) await _conn.ProbeAsync(_ctx.Shutdown);
        }
        return Option<TEvent>.None;
    }

    /// <summary>Most notifications one wake-up read accounts for; a flood waits for the next.</summary>
    private const int MaxClaimsPerRead = 10_000;

    private void StartRead(EventOrigin origin)
    {
        _readOrigin = origin;
        _catchUpCursor = new Dictionary<string, DateTime>(_ctx.Watermarks.ReadFrom());
    }

    /// <summary>A row read back answers the claim naming it (which carries the trigger's send time, for latency).</summary>
    private TEvent Answered(TEvent row)
    {
        if (_checking is null || !_checking.Remove((row.Symbol, row.Time), out var c)) return row;
        return _channel.WithInsertedAt(row, c.Claim.InsertedAt ?? row.InsertedAt);
    }

    /// <summary>The claims the read did not answer (their symbols are the catalogue's: others were
    /// refused when parsed): a row read before (a late or repeated NOTIFY) is fine; a key that is no
    /// stored row is quarantined.</summary>
    private async Task CheckClaimsAsync()
    {
        if (_checking is not { Count: > 0 } left) { _checking = null; return; }
        _checking = null;
        var known = left.Keys.ToList();
        var stored = await _conn.ExistingAsync(known, _ctx.Shutdown);
        foreach (var key in known.Where(k => !stored.Contains(k)))
            await QuarantineAsync(left[key].Payload,
                $"names {key.Item1} {key.Item2:O}, which is not a stored row of {_feed.Table}: ignored, nothing moved", NotifyQuarantine.NoSuchRow);
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

    private void OnNotification(string channel, string payload)
    {
        if (channel == Channels.Name(NotifyChannel.SystemHeartbeat))
        {
            _ctx.OnHeartbeat?.Invoke(ListenerName, payload);
            return;
        }
        if (channel != _channel.Name) return;
        try
        {
            var e = RowChannels.Parse(_channel, payload);
            if (e.InsertedAt is { } sentAt)
                CopMetrics.NotifyLatency.WithLabels(_channel.Name).Observe(Math.Max(0, (DateTime.UtcNow - sentAt).TotalSeconds));
            if (_ctx.Settings.Instruments.Contains(e.Symbol)) _claims.Enqueue((e, payload));
            else _refused.Enqueue((payload, $"{_ctx.Settings.Instruments.WhyUnknown(e.Symbol)}: not read, nothing moved", NotifyQuarantine.UnknownSymbol));
        }
        catch (MalformedPayloadException bad)
        {
            // Written from the read loop: this handler runs inside the connection's read and must not block.
            _refused.Enqueue((payload, bad.Message, NotifyQuarantine.Malformed));
        }
    }

    private async Task QuarantineAsync(string payload, string reason, string code)
    {
        CopMetrics.NotifyEvents.WithLabels(_channel.Name, code == NotifyQuarantine.Malformed ? "malformed" : "refused").Inc();
        CopMetrics.QuarantinedTotal.WithLabels($"notify:{_channel.Name}").Inc();
        _ctx.Log.LogWarning("Payload on {Channel} quarantined ({Code}): {Reason}", _channel.Name, code, reason);
        if (_ctx.Quarantine is not null)
            await _ctx.Quarantine.AddAsync($"notify:{_channel.Name}", payload, reason, code, _ctx.Shutdown);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    public ValueTask DisposeAsync() => _conn?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>
/// Polling while the LISTEN circuit is open (the V6 design, kept as the fallback): reads
/// committed rows after the frontier every PollInterval, and ends when it is time to try
/// LISTEN again, so the restart factory can ask the breaker.
/// </summary>
internal sealed class PollSession<TEvent> where TEvent : IRowEvent
{
    private readonly IRowEventFeed<TEvent> _feed;
    private readonly RowEventSourceContext _ctx;
    private readonly Queue<TEvent> _rows = new();
    private readonly DateTime _until;
    private Dictionary<string, DateTime>? _cursor;

    public PollSession(RowChannel<TEvent> channel, IRowEventFeed<TEvent> feed, RowEventSourceContext ctx)
    {
        _feed = feed;
        _ctx = ctx;
        // Poll mode (cop.notify.mode = poll) polls for good; otherwise until LISTEN is tried again.
        _until = ctx.Settings.PollOnly ? DateTime.MaxValue : ctx.Breaker.RetryListenAt;
        if (!ctx.Settings.PollOnly)
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
            var batch = await _feed.ReadAfterAsync(_cursor, _ctx.Settings.Instruments,
                _ctx.Settings.CatchUpBatchSize, EventOrigin.Poll, _ctx.Shutdown);
            foreach (var e in batch) _rows.Enqueue(e);
            if (batch.Count > 0) continue;
            _cursor = null; // next round re-reads the frontier (it moved as we emitted)
            var left = _until - DateTime.UtcNow;
            await Task.Delay(TimeSpan.FromTicks(Math.Clamp(left.Ticks, 0, _ctx.Settings.PollInterval.Ticks)), _ctx.Shutdown);
        }
        return Option<TEvent>.None;
    }
}
