-- 055: a model's decisions are a gapless sequence of its symbol's feature rows, so a bar that
-- fails deterministically (poison) holds the model until an operator skips it with
-- `cop dlq skip <id> --reason`. The skip is the record of who let which bar go, when and why;
-- the model reads it to move past the bar. Its dead letter is marked SKIPPED, never RESOLVED:
-- RESOLVED means the bar was decided.
CREATE TABLE IF NOT EXISTS trading.decision_skips (
    model_id        VARCHAR(100) NOT NULL,
    symbol          TEXT         NOT NULL,
    bar_time        TIMESTAMPTZ  NOT NULL,
    dead_letter_id  BIGINT       REFERENCES system.dead_letter_queue (id),
    skipped_by      TEXT         NOT NULL,
    skipped_at      TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    reason          TEXT         NOT NULL CHECK (length(btrim(reason)) > 0),
    PRIMARY KEY (model_id, symbol, bar_time)
);
COMMENT ON TABLE trading.decision_skips IS
    'Bars an operator let a model pass without a decision (cop dlq skip): who, when, why.';

ALTER TABLE system.dead_letter_queue DROP CONSTRAINT IF EXISTS dead_letter_queue_status_check;
ALTER TABLE system.dead_letter_queue ADD CONSTRAINT dead_letter_queue_status_check
    CHECK (status IN ('PENDING', 'RESOLVED', 'EXHAUSTED', 'SKIPPED'));
