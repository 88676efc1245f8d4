using System.Text.Json;
using Akka.Actor;
using Cop.Actors.Heartbeat;
using Cop.Actors.Models;
using Cop.Actors.Telemetry;
using Cop.Host.Composition;
using Cop.Persistence.Stores;
using Cop.Streams.Notifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace Cop.Host.Operations;

/// <summary>
/// GET /health: one JSON object per component (database, listeners, breaker, heartbeat, redis,
/// macro, extractors, models, dead_letters, decisions), each healthy / degraded / unhealthy with
/// its detail. Read at request time from the actors and from PostgreSQL, never cached.
/// </summary>
public static class HealthEndpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Maps /health (the one line RunCommand adds).</summary>
    public static void MapCopHealth(this WebApplication app, CopRuntime runtime, string database) =>
        app.MapGet("/health", async (HttpContext http) =>
        {
            var report = await CheckAsync(runtime, database, http.RequestAborted);
            http.Response.StatusCode = report.HttpStatus;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(report, Json), http.RequestAborted);
        });

    public static async Task<HealthReport> CheckAsync(CopRuntime runtime, string database, CancellationToken ct = default)
    {
        var env = runtime.Environment;
        var settings = env.Settings;
        var ops = OperationsSettings.From(settings.Hocon);
        var poll = NotifyModes.From(settings.Hocon) == NotifyMode.Poll;
        var c = new Dictionary<string, ComponentHealth>();

        // The source of truth first: without PostgreSQL nothing is decided.
        OperationsState? state = null;
        IReadOnlyList<MacroStaleSeries> stale = [];
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(settings.HealthTimeout);
            state = await new OperationsStateStore(runtime.Pooled).ReadAsync(settings.Macro.Catalogue, timeout.Token);
            stale = await new MacroStore(runtime.Pooled).StaleAsync(settings.Macro.Catalogue, timeout.Token);
            c["database"] = new(HealthStatus.Healthy, "answers", new { last_bar = state.LastBar, last_feature = state.LastFeature });
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            c["database"] = new(HealthStatus.Unhealthy, $"unreachable: {e.GetBaseException().Message}");
        }

        // Listeners and heartbeat: every LISTEN connection echoes the system_heartbeat NOTIFY.
        if (poll)
        {
            c["listeners"] = new(HealthStatus.Healthy, "cop.notify.mode = poll: bars are polled, no listener connections");
            c["heartbeat"] = new(HealthStatus.Healthy, "poll mode: no NOTIFY heartbeat to echo");
        }
        else if (runtime.Heartbeat is not { } hb)
        {
            c["listeners"] = new(HealthStatus.Unhealthy, "starting");
            c["heartbeat"] = new(HealthStatus.Unhealthy, "starting");
        }
        else
        {
            try
            {
                var health = await hb.Ask<HeartbeatMonitor.NotifyHealth>(new HeartbeatMonitor.GetHealth(), settings.HealthTimeout, ct);
                var silent = health.Listeners.Where(l => !l.Healthy).Select(l => l.Listener).ToList();
                c["listeners"] = new(silent.Count == 0 && health.Listeners.Count > 0 ? HealthStatus.Healthy : HealthStatus.Unhealthy,
                    silent.Count == 0 ? $"{health.Listeners.Count} echo the heartbeat" : $"not echoing: {string.Join(", ", silent)}",
                    health.Listeners.ToDictionary(l => l.Listener, l => new { healthy = l.Healthy, missed = l.Missed, last_echo_at = l.LastEchoAt, round_trip_ms = l.LastRoundTripMs }));
                var newest = health.Listeners.Select(l => l.LastEchoAt).Max();
                c["heartbeat"] = newest is { } at && DateTime.UtcNow - at <= ops.HeartbeatStale
                    ? new(HealthStatus.Healthy, $"last echo {(DateTime.UtcNow - at).TotalSeconds:F0} s ago")
                    : new(HealthStatus.Unhealthy, newest is null ? "no echo yet" : $"no echo for {(DateTime.UtcNow - newest.Value).TotalSeconds:F0} s (> {ops.HeartbeatStale.TotalSeconds:F0} s)");
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                c["heartbeat"] = new(HealthStatus.Unhealthy, "the heartbeat monitor did not answer");
            }
        }

        // The LISTEN circuit: open means Cop polls (slower, still deciding).
        var circuits = new Dictionary<string, string>
        {
            [RowChannels.Bars.Name] = runtime.Features?.Bars.Context.Breaker.State.ToString() ?? "starting",
            [RowChannels.Features.Name] = runtime.Trading?.Features.Context.Breaker.State.ToString() ?? (env.DeployedModels ? "starting" : "not run"),
        };
        var notClosed = circuits.Where(kv => kv.Value is not ("Closed" or "not run")).Select(kv => $"{kv.Key} {kv.Value}").ToList();
        c["breaker"] = poll ? new(HealthStatus.Healthy, "poll mode", circuits)
            : new(notClosed.Count == 0 ? HealthStatus.Healthy : HealthStatus.Degraded,
                notClosed.Count == 0 ? "closed (LISTEN)" : $"polling: {string.Join(", ", notClosed)}", circuits);

        // Redis is optional: without it the models read PostgreSQL, then recompute.
        if (env.Redis is { } redis)
            c["redis"] = await StateSampler.RedisAnswersAsync(redis, ops.RedisTimeout)
                ? new(HealthStatus.Healthy, "answers PING")
                : new(HealthStatus.Degraded, $"no PING answer within {ops.RedisTimeout.TotalSeconds:F0} s: features read from PostgreSQL");
        else
            c["redis"] = new(HealthStatus.Healthy, "not configured: features read from PostgreSQL, then recomputed");

        if (state is not null)
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var late = settings.Macro.Catalogue
                .Where(v => state.MacroLastAccepted.GetValueOrDefault(v.Column) is { } d && today.DayNumber - d.DayNumber > v.MaxGapDays)
                .Select(v => v.Column).ToList();
            var staleLines = stale.Select(s => $"{s.Variable}: last accepted {s.LastAccepted?.ToString("yyyy-MM-dd") ?? "never"}, {s.Waiting} waiting since {s.WaitingSince:yyyy-MM-dd} ({s.Reason})").ToList();
            c["macro"] = staleLines.Count == 0 && late.Count == 0
                ? new(HealthStatus.Healthy, "every series accepted and within its max gap")
                : new(HealthStatus.Degraded, $"{staleLines.Count} stale (values rejected), {late.Count} older than their max gap",
                    new { stale = staleLines, late });

            var refused = state.Models.Where(m => m.LastError is not null).ToList();
            var killed = state.Models.Where(m => m.KillSwitch).Select(m => m.ModelId).ToList();
            var running = runtime.Trading is { } t ? await RunningAsync(t.Models, settings.HealthTimeout) : null;
            var notRunning = running is null ? [] : state.Models.Where(m => m.LastError is null && !running.Contains(m.ModelId)).Select(m => m.ModelId).ToList();
            c["models"] = !env.DeployedModels ? new(HealthStatus.Healthy, "not run in this process")
                : state.Models.Count == 0 ? new(HealthStatus.Degraded, "no deployed model (cop models baseline / register)")
                : refused.Count > 0 || killed.Count > 0 || notRunning.Count > 0
                    ? new(HealthStatus.Degraded, $"{state.Models.Count} deployed: {refused.Count} refused, {killed.Count} kill switch on, {notRunning.Count} not running",
                        new { refused = refused.ToDictionary(m => m.ModelId, m => m.LastError), kill_switch_on = killed, not_running = notRunning })
                    : new(HealthStatus.Healthy, $"{state.Models.Count} deployed, running", new { running });

            long Count(string status) => state.DeadLetters.Where(d => d.Status == status).Sum(d => d.Count);
            var (exhausted, pending) = (Count("EXHAUSTED"), Count("PENDING"));
            c["dead_letters"] = new(exhausted > 0 ? HealthStatus.Degraded : HealthStatus.Healthy,
                exhausted > 0 ? $"{exhausted} exhausted (cop dlq list --status EXHAUSTED)" : $"{pending} pending retry",
                state.DeadLetters.GroupBy(d => d.Status).ToDictionary(g => g.Key.ToLowerInvariant(), g => g.Sum(d => d.Count)));
        }

        // Macro sources: a source whose circuit is open is not called (its series age).
        var sources = CopMetrics.ExtractorHealth.GetAllLabelValues().Select(l => l[0]).ToDictionary(s => s, s => CopMetrics.ExtractorHealth.WithLabels(s).Value);
        var open = sources.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList();
        c["extractors"] = !env.MacroTree ? new(HealthStatus.Healthy, "macro tree not run in this process")
            : new(open.Count == 0 ? HealthStatus.Healthy : HealthStatus.Degraded,
                open.Count == 0 ? $"{sources.Count} sources, circuits closed" : $"circuit open: {string.Join(", ", open)}",
                sources.ToDictionary(kv => kv.Key, kv => kv.Value == 1 ? "closed" : "open"));

        // A bar not decided yet: asked again with back-off, later bars wait for it.
        if (runtime.Trading?.Retrying.Current is { } r)
            c["decisions"] = new(HealthStatus.Degraded, $"retrying {r.Symbol} {r.Bar:O}, attempt {r.Attempt}",
                new { retrying = $"{r.Symbol} {r.Bar:O}", failed = r.Failed, attempt = r.Attempt, since = r.Since, next_in_seconds = r.NextIn.TotalSeconds });

        return HealthReport.Of(c, database);
    }

    private static async Task<HashSet<string>?> RunningAsync(IActorRef models, TimeSpan timeout)
    {
        try { return [.. (await models.Ask<DeployedModelSupervisor.ModelList>(new DeployedModelSupervisor.ListModels(), timeout)).Running]; }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return null; }
    }
}
