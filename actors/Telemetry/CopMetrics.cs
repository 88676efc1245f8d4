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

    /// <summary>From a row's commit (its trigger clock) to its event leaving the channel's source,
    /// whatever brought it (NOTIFY, catch-up, polling): the spec's sensor, one per channel.</summary>
    public static readonly Histogram SensorResponse = Metrics.CreateHistogram(
        "usdcop_sensor_response_seconds", "From a row's commit to its event leaving the source (NOTIFY, catch-up or poll)",
        new HistogramConfiguration { LabelNames = ["sensor_type"], Buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60] });

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
        "usdcop_redis_connection_health", "1 when Redis answers PING (absent when Cop runs without Redis)",
        new GaugeConfiguration { SuppressInitialValue = true });   // absent until sampled: 0 would be a lie

    public static readonly Gauge LastOhlcvBarTimestamp = Metrics.CreateGauge(
        "usdcop_last_ohlcv_bar_timestamp", "Time of the newest bar in usdcop_m5_ohlcv (Unix seconds, sampled)",
        new GaugeConfiguration { SuppressInitialValue = true });   // absent until sampled: 0 would be a lie

    public static readonly Gauge LastFeatureTimestamp = Metrics.CreateGauge(
        "usdcop_last_feature_timestamp", "Time of the newest row in inference_features_5m (Unix seconds, sampled)",
        new GaugeConfiguration { SuppressInitialValue = true });   // absent until sampled: 0 would be a lie

    public static readonly Gauge MarketHoursStatus = Metrics.CreateGauge(
        "usdcop_market_hours_status", "1 while the USD/COP session is open (the market calendar, sampled)",
        new GaugeConfiguration { SuppressInitialValue = true });   // absent until sampled: 0 would be a lie

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
    // The utilities' pipeline metrics (plan-v7 CTR-METRICS-001): dag_id is Cop's pipeline
    // ("macro", "features", "decisions", a periodic job's name), task_id its step.
    public static readonly Histogram MacroPipelineDuration = Metrics.CreateHistogram(
        "pipeline_duration_seconds", "Duration of a pipeline run (macro: every variable, forward fill, Parquet)",
        new HistogramConfiguration { LabelNames = ["dag_id", "task_id"], Buckets = [1, 5, 10, 30, 60, 120, 300, 600] });

    public static readonly Histogram ExtractionDuration = Metrics.CreateHistogram(
        "extraction_duration_seconds", "One macro variable's fetch from its source, retries included",
        new HistogramConfiguration { LabelNames = ["source", "variable"], Buckets = [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60] });

    public static readonly Histogram ForwardFillDuration = Metrics.CreateHistogram(
        "forward_fill_duration_seconds", "Forward fill of the macro tables after a run",
        new HistogramConfiguration { LabelNames = ["dag_id"], Buckets = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10] });

    public static readonly Counter PipelineFailures = Metrics.CreateCounter(
        "pipeline_failures_total", "Pipeline runs or units of work that failed (a bar dead-lettered, a job run that threw)",
        new CounterConfiguration { LabelNames = ["dag_id", "error_type"] });

    public static readonly Counter ExtractionFailures = Metrics.CreateCounter(
        "extraction_failures_total", "Macro source calls that failed after retries",
        new CounterConfiguration { LabelNames = ["source", "error_type"] });

    public static readonly Counter ExtractionRetries = Metrics.CreateCounter(
        "extraction_retries_total", "Source calls retried after a transient failure (timeout, 5xx, 429)",
        new CounterConfiguration { LabelNames = ["source"] });

    public static readonly Gauge LastSuccessfulExtraction = Metrics.CreateGauge(
        "last_successful_extraction_timestamp", "When a source last answered a fetch (Unix seconds)",
        new GaugeConfiguration { LabelNames = ["source"] });

    public static readonly Counter MacroRowsProcessed = Metrics.CreateCounter(
        "rows_processed_total", "Rows stored by a pipeline (macro values inserted or revised, feature rows)",
        new CounterConfiguration { LabelNames = ["dag_id", "table", "operation"] });

    /// <summary>The spec's Info metric (prometheus_client's Info is a gauge named *_info at 1).</summary>
    public static readonly Gauge PipelineInfo = Metrics.CreateGauge(
        "pipeline_info", "Cop's version and configuration (value 1)",
        new GaugeConfiguration { LabelNames = ["version", "notify_mode", "builder_version", "instruments"] });

    public static readonly Counter FeaturesCalculated = Metrics.CreateCounter(
        "usdcop_features_calculated_total", "Feature rows built, by builder version",
        new CounterConfiguration { LabelNames = ["builder_version"] });

    // State read from the source of truth by the operations sampler (right whoever wrote the data).
    public static readonly Gauge DeadLetterQueueSize = Metrics.CreateGauge(
        "dead_letter_queue_size", "Entries in system.dead_letter_queue by event type and status (sampled from PostgreSQL)",
        new GaugeConfiguration { LabelNames = ["event_type", "status"] });

    public static readonly Counter Decisions = Metrics.CreateCounter(
        "usdcop_decisions_total", "Decision rows committed, per model, action and risk verdict",
        new CounterConfiguration { LabelNames = ["model_id", "action", "verdict"] });

    public static readonly Gauge PaperEquity = Metrics.CreateGauge(
        "usdcop_paper_equity", "Each model's paper equity after its newest committed decision",
        new GaugeConfiguration { LabelNames = ["model_id"] });

    public static readonly Gauge ModelKillSwitch = Metrics.CreateGauge(
        "usdcop_model_kill_switch", "1 when a deployed model's kill switch is on (sampled from model_registry)",
        new GaugeConfiguration { LabelNames = ["model_id"] });

    public static readonly Gauge ModelRefused = Metrics.CreateGauge(
        "usdcop_model_refused", "1 when a deployed model was refused (file missing, hash, ONNX contract; sampled from model_registry)",
        new GaugeConfiguration { LabelNames = ["model_id"] });

    public static readonly Gauge MacroSeriesStale = Metrics.CreateGauge(
        "cop_macro_series_stale", "1 while a series' newest values are rejected and wait for an operator (sampled)",
        new GaugeConfiguration { LabelNames = ["series"] });

    public static readonly Gauge MacroSeriesMaxAge = Metrics.CreateGauge(
        "cop_macro_series_max_age_days", "The catalogue's max gap per series: older than this, the series is late",
        new GaugeConfiguration { LabelNames = ["series"] });

    public static readonly Gauge SamplerLastRun = Metrics.CreateGauge(
        "usdcop_state_sampler_last_run_timestamp", "When the operations sampler last read the state (Unix seconds)");

    // Macro data quality (issue 13): a series whose newest values are rejected grows old here.
    public static readonly Counter MacroRejected = Metrics.CreateCounter(
        "cop_macro_rejected_values_total", "Macro values rejected by validation (new or changed rejections), per series",
        new CounterConfiguration { LabelNames = ["series"] });

    public static readonly Gauge MacroSeriesAge = Metrics.CreateGauge(
        "cop_macro_series_age_days", "Days from a series' last accepted value to today (sampled from PostgreSQL; also set by each run)",
        new GaugeConfiguration { LabelNames = ["series"] });

    public static readonly Gauge ExtractorHealth = Metrics.CreateGauge(
        "extractor_health", "1 when a macro source's circuit is closed, 0 when open",
        new GaugeConfiguration { LabelNames = ["source"] });

    public static readonly Gauge ActiveCircuitBreakers = Metrics.CreateGauge(
        "active_circuit_breakers", "Macro sources whose circuit breaker is open",
        new GaugeConfiguration { LabelNames = ["dag_id"] });

    public static readonly Counter QuarantinedTotal = Metrics.CreateCounter(
        "usdcop_quarantined_total", "Inputs rejected into the quarantine table",
        new CounterConfiguration { LabelNames = ["source"] });

    public static readonly Counter DecisionRetries = Metrics.CreateCounter(
        "usdcop_decision_retries_total", "Bars asked of the models again because a model had not decided them");

    public static readonly Gauge DecisionRetryingSince = Metrics.CreateGauge(
        "usdcop_decision_retrying_since", "Since when the decision pipeline has been retrying its current bar (Unix seconds; 0: not retrying)");

    /// <summary>From the bar's commit (usdcop_m5_ohlcv.ingested_at) to each model's decision row committed.</summary>
    public static readonly Histogram E2ELatency = Metrics.CreateHistogram(
        "usdcop_e2e_latency_seconds", "End-to-end latency (OHLCV bar committed to the model's decision committed)",
        new HistogramConfiguration { LabelNames = ["model_id"], Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 10, 15, 30, 60, 120, 300] });
}
