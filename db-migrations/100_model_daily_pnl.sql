-- 100: projections built from the journal (issue 19). A projection stores the journal offset (the
-- SQL journal's global `ordering`) it has applied, in the same transaction as its rows, so after a
-- crash it resumes there and never applies an event twice; `cop projections rebuild` empties both.
CREATE TABLE IF NOT EXISTS system.projection_offsets (
    projection      TEXT        PRIMARY KEY,
    journal_offset  BIGINT      NOT NULL CHECK (journal_offset >= 0),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- Per model and Bogota trading day: what its journaled decisions add up to. Equity is the paper
-- account's after each decision (marked to the bar's close); pnl = equity_close - equity_open,
-- where equity_open is the previous day's close (the initial equity on a model's first day).
CREATE TABLE IF NOT EXISTS trading.model_daily_pnl (
    model_id      VARCHAR(100)     NOT NULL,
    day           DATE             NOT NULL,
    symbol        TEXT             NOT NULL,
    decisions     INTEGER          NOT NULL,
    approved      INTEGER          NOT NULL,
    trades        INTEGER          NOT NULL,
    buys          INTEGER          NOT NULL,
    sells         INTEGER          NOT NULL,
    volume        DOUBLE PRECISION NOT NULL,
    costs         DOUBLE PRECISION NOT NULL,
    equity_open   DOUBLE PRECISION NOT NULL,
    equity_close  DOUBLE PRECISION NOT NULL,
    equity_low    DOUBLE PRECISION NOT NULL,
    equity_high   DOUBLE PRECISION NOT NULL,
    pnl           DOUBLE PRECISION NOT NULL,
    first_bar     TIMESTAMPTZ      NOT NULL,
    last_bar      TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (model_id, day)
);
COMMENT ON TABLE trading.model_daily_pnl IS
    'Projection model-daily-pnl: per model and Bogota day, from the journaled decisions (offset in system.projection_offsets).';
