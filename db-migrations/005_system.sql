-- 005: operational tables: rejected input, stream watermarks, the dead-letter queue.
CREATE SCHEMA IF NOT EXISTS system;

-- Everything rejected (malformed NOTIFY payloads, invalid bars, bad macro values) lands here
-- with the reason, so nothing is dropped silently.
CREATE TABLE IF NOT EXISTS quarantine (
    id           BIGSERIAL PRIMARY KEY,
    source       TEXT        NOT NULL,
    raw_payload  TEXT        NOT NULL,
    reason       TEXT        NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_quarantine_source ON quarantine (source, received_at DESC);

-- Durable position of each event consumer: the natural key of the last event whose
-- downstream work committed, per consumer and symbol.
CREATE TABLE IF NOT EXISTS system.stream_watermarks (
    consumer    TEXT        NOT NULL,
    symbol      TEXT        NOT NULL,
    last_time   TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (consumer, symbol)
);

CREATE TABLE IF NOT EXISTS system.dead_letter_queue (
    id                 BIGSERIAL PRIMARY KEY,
    event_id           VARCHAR(128) NOT NULL UNIQUE,
    event_type         VARCHAR(50)  NOT NULL,
    event_timestamp    TIMESTAMPTZ,
    payload            JSONB        NOT NULL,
    error_message      TEXT,
    error_detail       TEXT,
    retry_count        INTEGER      NOT NULL DEFAULT 0,
    max_retries        INTEGER      NOT NULL DEFAULT 3,
    next_retry_at      TIMESTAMPTZ,
    status             VARCHAR(20)  NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'RESOLVED', 'EXHAUSTED')),
    created_at         TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    last_attempted_at  TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_dlq_status ON system.dead_letter_queue (status, next_retry_at);
