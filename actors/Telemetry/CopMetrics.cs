using Prometheus;

namespace Cop.Actors.Telemetry;

/// <summary>
/// Prometheus metrics, named as plan-v7.md names them (usdcop_*), defined once so that every
/// path reports to the same series. Exposed by the host on /metrics.
/// </summary>
public static class CopMetrics
{
    public static readonly Histogram NotifyLatency = Metrics.CreateHistogram(
        "usdcop_notify_latency_seconds", "PostgreSQL NOTIFY delivery latency (trigger to listener)",
        new HistogramConfiguration
        {
            LabelNames = ["channel"],
            Buckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0],
        });

    /// <summary>status: success (live NOTIFY), catchup, poll, duplicate, malformed.</summary>
    public static readonly Counter NotifyEvents = Metrics.CreateCounter(
        "usdcop_notify_events_total", "Events seen by the NOTIFY sources",
        new CounterConfiguration { LabelNames = ["channel", "status"] });

    /// <summary>0 closed (LISTEN), 1 half-open (trying LISTEN), 2 open (polling).</summary>
    public static readonly Gauge NotifyCircuitState = Metrics.CreateGauge(
        "usdcop_notify_circuit_state", "LISTEN circuit breaker state (0 closed, 1 half-open, 2 open)",
        new GaugeConfiguration { LabelNames = ["channel"] });

    public static readonly Counter CircuitBreakerOpened = Metrics.CreateCounter(
        "usdcop_circuit_breaker_opened_total", "Times a LISTEN circuit opened and polling took over",
        new CounterConfiguration { LabelNames = ["channel"] });

    public static readonly Gauge NotifyHeartbeatStatus = Metrics.CreateGauge(
        "usdcop_notify_heartbeat_status", "1 when the last system_heartbeat came back in time",
        new GaugeConfiguration { LabelNames = ["listener"] });

    public static readonly Counter NotifySystemDown = Metrics.CreateCounter(
        "usdcop_notify_system_down_total", "Times heartbeats were missed past the alert threshold");

    public static readonly Gauge PostgresConnectionHealth = Metrics.CreateGauge(
        "usdcop_postgres_connection_health", "1 when the listener's PostgreSQL connection is up",
        new GaugeConfiguration { LabelNames = ["listener"] });

    public static readonly Gauge RedisConnectionHealth = Metrics.CreateGauge(
        "usdcop_redis_connection_health", "1 when Redis answers");

    public static readonly Gauge LastOhlcvBarTimestamp = Metrics.CreateGauge(
        "usdcop_last_ohlcv_bar_timestamp", "Time of the newest OHLCV bar seen (Unix seconds)");

    public static readonly Gauge LastFeatureTimestamp = Metrics.CreateGauge(
        "usdcop_last_feature_timestamp", "Time of the newest feature row seen (Unix seconds)");

    public static readonly Gauge MarketHoursStatus = Metrics.CreateGauge(
        "usdcop_market_hours_status", "1 while the USD/COP session is open");

    public static readonly Counter FeatureRowsWritten = Metrics.CreateCounter(
        "usdcop_feature_rows_written_total", "Feature rows inserted or changed by the feature writer");

    public static readonly Counter BarsAccepted = Metrics.CreateCounter(
        "usdcop_bars_accepted_total", "Bars that passed validation and were stored",
        new CounterConfiguration { LabelNames = ["source"] });

    public static readonly Counter BarsRejected = Metrics.CreateCounter(
        "usdcop_bars_rejected_total", "Bars quarantined by validation, by reason",
        new CounterConfiguration { LabelNames = ["source", "reason"] });

    public static readonly Histogram FeatureLatency = Metrics.CreateHistogram(
        "usdcop_feature_latency_seconds", "From the bar's INSERT (trigger clock) to its feature row committed",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });

    // The hybrid feature service (the spec's Feast metrics, kept by name).
    public static readonly Counter FeastRequests = Metrics.CreateCounter(
        "usdcop_feast_requests_total", "Feature reads by source (postgres, redis, recompute) and result (hit, miss, error)",
        new CounterConfiguration { LabelNames = ["source", "result"] });

    public static readonly Histogram FeastLatency = Metrics.CreateHistogram(
        "usdcop_feast_latency_seconds", "Feature read latency by source",
        new HistogramConfiguration { LabelNames = ["source"], Buckets = Histogram.ExponentialBuckets(0.00005, 2, 16) });

    public static readonly Counter OnlinePushFailures = Metrics.CreateCounter(
        "usdcop_online_store_push_failures_total", "Feature rows not pushed to Redis after their commit (Redis down or slow)");

    // Macro ingestion (the spec's L0 macro metrics).
    public static readonly Histogram MacroPipelineDuration = Metrics.CreateHistogram(
        "pipeline_duration_seconds", "Duration of a macro ingestion run (every variable, forward fill, Parquet)");

    public static readonly Counter ExtractionFailures = Metrics.CreateCounter(
        "extraction_failures_total", "Macro source calls that failed after retries",
        new CounterConfiguration { LabelNames = ["source"] });

    public static readonly Counter MacroRowsProcessed = Metrics.CreateCounter(
        "rows_processed_total", "Macro values stored (inserted or revised)",
        new CounterConfiguration { LabelNames = ["variable"] });

    // Macro data quality (issue 13): a series whose newest values are rejected grows old here.
    public static readonly Counter MacroRejected = Metrics.CreateCounter(
        "cop_macro_rejected_values_total", "Macro values rejected by validation (new or changed rejections), per series",
        new CounterConfiguration { LabelNames = ["series"] });

    public static readonly Gauge MacroSeriesAge = Metrics.CreateGauge(
        "cop_macro_series_age_days", "Days between the last macro run and the series' last accepted value",
        new GaugeConfiguration { LabelNames = ["series"] });

    public static readonly Gauge ExtractorHealth = Metrics.CreateGauge(
        "extractor_health", "1 when a macro source's circuit is closed, 0 when open",
        new GaugeConfiguration { LabelNames = ["source"] });

    public static readonly Gauge ActiveCircuitBreakers = Metrics.CreateGauge(
        "active_circuit_breakers", "Macro sources whose circuit breaker is open");

    public static readonly Counter QuarantinedTotal = Metrics.CreateCounter(
        "usdcop_quarantined_total", "Inputs rejected into the quarantine table",
        new CounterConfiguration { LabelNames = ["source"] });

    public static readonly Counter DecisionRetries = Metrics.CreateCounter(
        "usdcop_decision_retries_total", "Bars asked of the models again because a model had not decided them");

    public static readonly Gauge DecisionRetryingSince = Metrics.CreateGauge(
        "usdcop_decision_retrying_since", "Since when the decision pipeline has been retrying its current bar (Unix seconds; 0: not retrying)");

    public static readonly Histogram E2ELatency = Metrics.CreateHistogram(
        "usdcop_e2e_latency_seconds", "End-to-end latency (OHLCV insert to decision)",
        new HistogramConfiguration { Buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 1, 5, 15, 30, 60] });
}
