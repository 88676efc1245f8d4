using System.Text.Json;
using Cop.Actors.Models;
using Cop.Host.Operations;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Xunit.Abstractions;

namespace Cop.Tests.Host.Operations;

/// <summary>Issue 18, metrics and /health on the real thing: `cop run` deciding bars another
/// process INSERTed, scraped over HTTP.</summary>
[Collection(HostCollection.Name)]
public class OperationsMetricsTests(ITestOutputHelper output)
{
    private const string Model = BaselinePolicy.ModelId;
    private const string Dxy = "fxrt_index_dxy_usa_d_dxy";

    [Fact]
    public async Task Cop_run_exports_the_spec_metrics_from_the_bars_it_decides_and_samples_state_whoever_wrote_it()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("opsmetrics");
        await using var cop = await RunningCop.StartAsync(cs);
        try { await MetricsAndHealthAsync(cop, cs); }
        finally { output.WriteLine(cop.Log); }
    }

    private async Task MetricsAndHealthAsync(RunningCop cop, string cs)
    {
        const int bars = 40;
        // Another writer (psql, another process): the sampled gauges must see it.
        await Sql.InsertBarsAsync(cs, 0, bars);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await Sql.ExecAsync(cs, $"INSERT INTO macro_daily (fecha, fecha_available, {Dxy}) VALUES (@d, @a, 104.2)",
            ("d", today.AddDays(-3)), ("a", today.AddDays(-2)));
        await Sql.ExecAsync(cs, """
            INSERT INTO system.dead_letter_queue (event_id, event_type, payload, status, retry_count)
            VALUES ('decide_bar:test:1', 'decide_bar', '{}', 'EXHAUSTED', 3)
            """);
        await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences WHERE model_id = @m", ("m", Model)),
            n => n == bars, TimeSpan.FromSeconds(60), $"{bars} decisions");

        var metrics = await Eventually.Read(cop.MetricsAsync, m =>
                RunningCop.Value(m, "usdcop_e2e_latency_seconds_count", $"model_id=\"{Model}\"") == bars
                && RunningCop.Value(m, "dead_letter_queue_size", "event_type=\"decide_bar\",status=\"EXHAUSTED\"") == 1
                && RunningCop.Value(m, "cop_macro_series_age_days", $"series=\"{Dxy}\"") == 3
                && RunningCop.Value(m, "usdcop_last_ohlcv_bar_timestamp") == Unix(Sql.BarTime(bars - 1))
                && RunningCop.Value(m, "usdcop_last_feature_timestamp") == Unix(Sql.BarTime(bars - 1)),
            TimeSpan.FromSeconds(30), "the metrics of the decided bars and the sampled state");
        output.WriteLine(string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("usdcop_") || l.StartsWith("dead_letter") || l.StartsWith("cop_macro_series_age_days{series=\"fxrt") || l.StartsWith("pipeline_info"))));

        // End to end, per model: every decision observed once, from the bar's commit; milliseconds here.
        var e2eSum = RunningCop.Value(metrics, "usdcop_e2e_latency_seconds_sum", $"model_id=\"{Model}\"")!.Value;
        output.WriteLine($"e2e mean {e2eSum / bars * 1000:F1} ms over {bars} bars");
        Assert.InRange(e2eSum / bars, 0, 60);   // HighEndToEndLatency's bound; a cold start under a loaded suite takes seconds
        Assert.Equal(bars, Sum(metrics, "usdcop_decisions_total", $"model_id=\"{Model}\""));
        Assert.NotNull(RunningCop.Value(metrics, "usdcop_paper_equity", $"model_id=\"{Model}\""));
        // The bars came by NOTIFY or catch-up; the sensor timed each one it had a commit time for.
        Assert.True(Sum(metrics, "usdcop_notify_events_total", "channel=\"new_ohlcv_bar\",status=\"success\"")
                    + Sum(metrics, "usdcop_notify_events_total", "channel=\"new_ohlcv_bar\",status=\"catchup\"") >= bars);
        Assert.Equal(bars, RunningCop.Value(metrics, "usdcop_sensor_response_seconds_count", "sensor_type=\"new_ohlcv_bar\""));
        Assert.Equal(bars, RunningCop.Value(metrics, "usdcop_features_calculated_total", "builder_version=\"cop-features/1\""));
        // What lied before: the calendar, Redis (embedded, up) and the listeners' PostgreSQL.
        var open = TradingSession.IsOpen(DateTime.UtcNow);
        Assert.Equal(open ? 1 : 0, RunningCop.Value(metrics, "usdcop_market_hours_status"));
        // Redis: 1 when Cop has one (embedded when redis-server is installed), absent when it runs
        // without: never the 0 that made RedisConnectionUnhealthy fire for ever.
        Assert.Equal(cop.Log.Contains("Online store unavailable") ? null : 1, RunningCop.Value(metrics, "usdcop_redis_connection_health"));
        Assert.Equal(1, RunningCop.Value(metrics, "usdcop_postgres_connection_health", "listener=\"cop-service\""));
        Assert.Equal(0, RunningCop.Value(metrics, "dead_letter_queue_size", "event_type=\"decide_bar\",status=\"PENDING\""));
        Assert.Equal(0, RunningCop.Value(metrics, "usdcop_model_kill_switch", $"model_id=\"{Model}\""));
        Assert.Equal(0, RunningCop.Value(metrics, "usdcop_model_refused", $"model_id=\"{Model}\""));
        Assert.Contains("pipeline_info{", metrics);
        Assert.Contains("notify_mode=\"listen\"", metrics);
        foreach (var name in new[] { "extraction_duration_seconds", "forward_fill_duration_seconds", "pipeline_failures_total", "extraction_retries_total",
                     "last_successful_extraction_timestamp", "usdcop_sensor_response_seconds", "dead_letter_queue_size" })
            Assert.Contains($"# TYPE {name} ", metrics);

        // A dead letter exhausted: /health is degraded and still 200 (Cop decides bars).
        var (status, body) = await cop.HealthAsync();
        output.WriteLine(body);
        Assert.Equal(200, status);
        using var health = JsonDocument.Parse(body);
        Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
        var components = health.RootElement.GetProperty("components");
        foreach (var c in new[] { "database", "listeners", "heartbeat", "breaker", "redis", "macro", "models", "dead_letters", "extractors" })
            Assert.True(components.TryGetProperty(c, out _), $"/health has no {c}: {body}");
        Assert.Equal("degraded", components.GetProperty("dead_letters").GetProperty("status").GetString());
        Assert.Equal("healthy", components.GetProperty("listeners").GetProperty("status").GetString());
        Assert.Equal("healthy", components.GetProperty("models").GetProperty("status").GetString());

        // The operator resolves it and turns the kill switch on: the model is now the degraded part.
        await Sql.ExecAsync(cs, "UPDATE system.dead_letter_queue SET status = 'RESOLVED'");
        var (code, said) = await cop.CommandAsync("models", "kill-switch", Model, "on");
        Assert.True(code == 0, said);
        await Eventually.Read(cop.MetricsAsync, m => RunningCop.Value(m, "usdcop_model_kill_switch", $"model_id=\"{Model}\"") == 1
                && RunningCop.Value(m, "dead_letter_queue_size", "event_type=\"decide_bar\",status=\"EXHAUSTED\"") == 0,
            TimeSpan.FromSeconds(30), "the kill switch and the resolved entry sampled");
        (status, body) = await cop.HealthAsync();
        Assert.Equal(200, status);
        using var after = JsonDocument.Parse(body);
        var parts = after.RootElement.GetProperty("components");
        Assert.Equal("healthy", parts.GetProperty("dead_letters").GetProperty("status").GetString());
        Assert.Equal("degraded", parts.GetProperty("models").GetProperty("status").GetString());
        Assert.Contains("kill switch on", parts.GetProperty("models").GetProperty("detail").GetString());
    }

    [Fact]
    public void Health_is_the_worst_component_and_only_unhealthy_answers_503()
    {
        ComponentHealth C(HealthStatus s) => new(s, "x");
        Assert.Equal((HealthStatus.Healthy, 200), Of(C(HealthStatus.Healthy), C(HealthStatus.Healthy)));
        Assert.Equal((HealthStatus.Degraded, 200), Of(C(HealthStatus.Healthy), C(HealthStatus.Degraded)));
        Assert.Equal((HealthStatus.Unhealthy, 503), Of(C(HealthStatus.Degraded), C(HealthStatus.Unhealthy)));
        Assert.Equal((HealthStatus.Unhealthy, 503), Of());

        static (HealthStatus, int) Of(params ComponentHealth[] parts)
        {
            var r = HealthReport.Of(parts.Select((p, i) => (p, i)).ToDictionary(x => $"c{x.i}", x => x.p), "db");
            return (r.Status, r.HttpStatus);
        }
    }

    private static double Unix(DateTime t) => new DateTimeOffset(t).ToUnixTimeSeconds();

    /// <summary>The sum of every series of a metric whose labels contain <paramref name="labelPart"/>.</summary>
    private static double Sum(string exposition, string name, string labelPart) =>
        exposition.Split('\n').Where(l => l.StartsWith(name + "{") && l.Contains(labelPart))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
