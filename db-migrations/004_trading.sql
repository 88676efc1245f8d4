-- 004: decisions and paper trades, keyed so that one (model, bar) yields one decision.
CREATE SCHEMA IF NOT EXISTS trading;
CREATE SCHEMA IF NOT EXISTS ml;

CREATE TABLE IF NOT EXISTS trading.model_inferences (
    id                BIGSERIAL PRIMARY KEY,
    model_id          VARCHAR(100)     NOT NULL,
    symbol            TEXT             NOT NULL DEFAULT 'USD/COP',
    bar_time          TIMESTAMPTZ      NOT NULL,
    observation_hash  CHAR(64)         NOT NULL,
    action            VARCHAR(5)       NOT NULL CHECK (action IN ('HOLD', 'LONG', 'SHORT')),
    confidence        DOUBLE PRECISION NOT NULL,
    risk_verdict      TEXT             NOT NULL,
    latency_ms        DOUBLE PRECISION,
    trade_id          BIGINT,
    created_at        TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    UNIQUE (model_id, symbol, bar_time)
);

CREATE TABLE IF NOT EXISTS trading.trades (
    id          BIGSERIAL PRIMARY KEY,
    model_id    VARCHAR(100)     NOT NULL,
    symbol      TEXT             NOT NULL DEFAULT 'USD/COP',
    bar_time    TIMESTAMPTZ      NOT NULL,
    side        VARCHAR(5)       NOT NULL CHECK (side IN ('BUY', 'SELL')),
    quantity    DOUBLE PRECISION NOT NULL,
    price       DOUBLE PRECISION NOT NULL,
    fee_bps     DOUBLE PRECISION NOT NULL DEFAULT 0,
    position_after DOUBLE PRECISION NOT NULL,
    equity_after   DOUBLE PRECISION NOT NULL,
    created_at  TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    UNIQUE (model_id, symbol, bar_time)
);

CREATE TABLE IF NOT EXISTS ml.model_promotion_audit (
    id           BIGSERIAL PRIMARY KEY,
    model_id     VARCHAR(100) NOT NULL,
    from_stage   VARCHAR(20),
    to_stage     VARCHAR(20)  NOT NULL,
    promoted_by  VARCHAR(100) NOT NULL,
    promoted_at  TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    reason       TEXT
);
