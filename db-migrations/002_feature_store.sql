-- 002: the feature store. Raw canonical features (builder cop-features/1); normalisation
-- belongs to each model. Keyed by (symbol, time) like the bars it is built from (the spec
-- keys by time alone, which cannot hold a second symbol).
CREATE TABLE IF NOT EXISTS inference_features_5m (
    symbol            TEXT             NOT NULL DEFAULT 'USD/COP',
    time              TIMESTAMPTZ      NOT NULL,
    log_ret_5m        DOUBLE PRECISION,
    log_ret_1h        DOUBLE PRECISION,
    log_ret_4h        DOUBLE PRECISION,
    rsi_9             DOUBLE PRECISION,
    atr_pct           DOUBLE PRECISION,
    adx_14            DOUBLE PRECISION,
    dxy_z             DOUBLE PRECISION,
    dxy_change_1d     DOUBLE PRECISION,
    vix_z             DOUBLE PRECISION,
    embi_z            DOUBLE PRECISION,
    brent_change_1d   DOUBLE PRECISION,
    rate_spread       DOUBLE PRECISION,
    usdmxn_change_1d  DOUBLE PRECISION,
    position          DOUBLE PRECISION DEFAULT 0.0,
    time_normalized   DOUBLE PRECISION,
    builder_version   VARCHAR(20)      NOT NULL DEFAULT 'cop-features/1',
    model_id          VARCHAR(100),
    updated_at        TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    PRIMARY KEY (symbol, time)
);

COMMENT ON TABLE inference_features_5m IS
    'Feature store. Single writer: the feature writer role (see its grant). Read by inference, datasets, backtests.';
