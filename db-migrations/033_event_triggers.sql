-- 033 (spec): the event backbone. AFTER INSERT triggers announce new rows with pg_notify.
-- Payloads carry the row's identity (symbol, time) plus a few small fields, far below the
-- 8,000-byte NOTIFY limit. inserted_at uses clock_timestamp() (not NOW(), which is the
-- transaction start) so listeners can measure delivery latency.
-- NOTIFY is best-effort: listeners must also catch up from committed rows (see streams/).

CREATE OR REPLACE FUNCTION notify_new_ohlcv_bar()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify('new_ohlcv_bar', json_build_object(
        'symbol',      NEW.symbol,
        'time',        NEW.time,
        'close',       NEW.close,
        'inserted_at', clock_timestamp()
    )::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_notify_ohlcv ON usdcop_m5_ohlcv;
CREATE TRIGGER trg_notify_ohlcv
    AFTER INSERT ON usdcop_m5_ohlcv
    FOR EACH ROW EXECUTE FUNCTION notify_new_ohlcv_bar();

CREATE OR REPLACE FUNCTION notify_new_features()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify('new_features', json_build_object(
        'symbol',           NEW.symbol,
        'time',             NEW.time,
        'builder_version',  NEW.builder_version,
        -- every market feature present (state features are injected per model)
        'has_all_features', (NEW.log_ret_5m IS NOT NULL AND NEW.log_ret_1h IS NOT NULL
                             AND NEW.log_ret_4h IS NOT NULL AND NEW.rsi_9 IS NOT NULL
                             AND NEW.atr_pct IS NOT NULL AND NEW.adx_14 IS NOT NULL
                             AND NEW.dxy_z IS NOT NULL AND NEW.dxy_change_1d IS NOT NULL
                             AND NEW.vix_z IS NOT NULL AND NEW.embi_z IS NOT NULL
                             AND NEW.brent_change_1d IS NOT NULL AND NEW.rate_spread IS NOT NULL
                             AND NEW.usdmxn_change_1d IS NOT NULL
                             AND NEW.time_normalized IS NOT NULL),
        'inserted_at',      clock_timestamp()
    )::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_notify_features ON inference_features_5m;
CREATE TRIGGER trg_notify_features
    AFTER INSERT ON inference_features_5m
    FOR EACH ROW EXECUTE FUNCTION notify_new_features();

CREATE OR REPLACE FUNCTION get_latest_feature_time()
RETURNS TIMESTAMPTZ AS $$
    SELECT MAX(time) FROM inference_features_5m;
$$ LANGUAGE sql STABLE;

-- Catch-up reads "rows after (symbol, time)": the primary keys serve them; these serve
-- "latest first" reads.
CREATE INDEX IF NOT EXISTS idx_features_time_desc ON inference_features_5m (time DESC);
CREATE INDEX IF NOT EXISTS idx_ohlcv_time_desc    ON usdcop_m5_ohlcv (time DESC);
