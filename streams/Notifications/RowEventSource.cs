using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Telemetry;
using Microsoft.Extensions.Logging;

namespace Cop.Streams.Notifications;

/// <summary>
/// Typed, gap-free, duplicate-free event sources over PostgreSQL NOTIFY, one per channel.
/// <code>
///   RestartSource(backoff) { breaker closed ? LISTEN + catch-up : poll }  -- restarts on any failure
///     .Where(new for the consumer)                                          -- survives restarts
///     ... your work (commit it) ...
///     .Via(CommitWatermarks)                                                -- then the watermark moves
/// </code>
/// </summary>
public static class RowEventSource
{
    public static Source<TEvent, NotUsed> Create<TEvent>(RowChannel<TEvent> channel, IRowEventFeed<TEvent> feed, RowEventSourceContext ctx)
        where TEvent : IRowEvent
    {
        var s = ctx.Settings;
        // Every status exported at 0 from the start, so increase() over a quiet channel is 0, not "no data".
        foreach (var status in new[] { "success", "catchup", "poll", "duplicate", "malformed", "refused" })
            CopMetrics.NotifyEvents.WithLabels(channel.Name, status);
        CopMetrics.CircuitBreakerOpened.WithLabels(channel.Name);
        // Poll mode reports the state it is always in: polling (the circuit's "open").
        CopMetrics.NotifyCircuitState.WithLabels(channel.Name).Set(s.PollOnly ? (int)CircuitState.Open : (int)ctx.Breaker.State);
        ctx.Breaker.Transitioned += (from, to, why) =>
        {
            if (s.PollOnly) return;
            CopMetrics.NotifyCircuitState.WithLabels(channel.Name).Set((int)to);
            if (to == CircuitState.Open) CopMetrics.CircuitBreakerOpened.WithLabels(channel.Name).Inc();
            ctx.Log.Log(to == CircuitState.Open ? LogLevel.Error : LogLevel.Warning,
                "{Channel} LISTEN circuit {From} -> {To}: {Why}", channel.Name, from, to, why);
        };

        var restart = RestartSettings.Create(s.MinBackoff, s.MaxBackoff, 0.2);
        if (s.PollOnly) ctx.Log.LogWarning("{Channel}: cop.notify.mode = poll, no LISTEN; committed rows are read every {Interval}", channel.Name, s.PollInterval);
        return RestartSource.WithBackoff(() => !s.PollOnly && ctx.Breaker.ShouldListen()
                    ? Source.UnfoldResourceAsync<TEvent, ListenSession<TEvent>>(
                        () => ListenSession<TEvent>.OpenAsync(channel, feed, ctx),
                        session => session.ReadAsync(),
                        async session => { await session.DisposeAsync(); return Done.Instance; })
                    : Source.UnfoldResourceAsync<TEvent, PollSession<TEvent>>(
                        () => Task.FromResult(new PollSession<TEvent>(channel, feed, ctx)),
                        session => session.ReadAsync(),
                        _ => Task.FromResult(Done.Instance)),
                restart)
            .Where(e =>
            {
                var admitted = ctx.Watermarks.TryAdmit(e.Symbol, e.Time) == Admission.Admitted;
                CopMetrics.NotifyEvents.WithLabels(channel.Name, !admitted ? "duplicate" : e.Origin switch
                {
                    EventOrigin.Notify => "success",
                    EventOrigin.CatchUp => "catchup",
                    _ => "poll",
                }).Inc();
                if (admitted && e.InsertedAt is { } committed)
                    CopMetrics.SensorResponse.WithLabels(channel.Name).Observe(Math.Max(0, (DateTime.UtcNow - committed).TotalSeconds));
                if (admitted && ctx.Log.IsEnabled(LogLevel.Debug))
                    ctx.Log.LogDebug("bar {Symbol:l} {BarTime:O}: {Channel:l} event ({Origin})", e.Symbol, e.Time, channel.Name, e.Origin);
                return admitted;
            })
            .Named($"notify-{channel.Name}");
    }

    /// <summary>
    /// Moves the durable watermark after the work upstream of it has committed, in small
    /// batches; retries (back-pressuring the stream) while the database is unreachable rather
    /// than failing and losing its place.
    /// </summary>
    public static Flow<TEvent, TEvent, NotUsed> CommitWatermarks<TEvent>(
        IWatermarkStore store, EventWatermarks marks, RowEventSourceContext ctx) where TEvent : IRowEvent
    {
        var s = ctx.Settings;
        return Flow.Create<TEvent>()
            .GroupedWithin(s.CommitBatchSize, s.CommitMaxDelay)
            .SelectAsync(1, async batch =>
            {
                var newest = new Dictionary<string, DateTime>();
                foreach (var e in batch)
                    if (!newest.TryGetValue(e.Symbol, out var t) || e.Time > t) newest[e.Symbol] = e.Time;
                await Retrying.UntilDoneAsync(() => store.AdvanceAsync(marks.Consumer, newest, ctx.Shutdown), s.MinBackoff, s.MaxBackoff,
                    (e, _, delay) => ctx.Log.LogWarning("Watermark of {Consumer} not committed ({Error}); retrying in {Delay}",
                        marks.Consumer, e.Message, delay), ctx.Shutdown);
                marks.MarkCommitted(newest);
                return batch;
            })
            .SelectMany(batch => batch);
    }
}
