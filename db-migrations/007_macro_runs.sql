-- 007 (issue 4): macro ingestion bookkeeping.
-- filled_columns: the cells of a row that forward fill wrote (not published values). Features
-- read only published values (features.md: a series is its published values); datasets and the
-- Parquet masters read the filled table.
ALTER TABLE macro_daily     ADD COLUMN IF NOT EXISTS filled_columns TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE macro_monthly   ADD COLUMN IF NOT EXISTS filled_columns TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE macro_quarterly ADD COLUMN IF NOT EXISTS filled_columns TEXT[] NOT NULL DEFAULT '{}';

-- The last run of each MacroVariable: what it decided, what came of it, and its source's breaker.
CREATE TABLE IF NOT EXISTS macro_variable_runs (
    variable        TEXT        PRIMARY KEY,
    source          TEXT        NOT NULL,
    last_run_at     TIMESTAMPTZ NOT NULL,
    plan            TEXT        NOT NULL,
    result          TEXT        NOT NULL CHECK (result IN ('ok', 'failed', 'skipped')),
    detail          TEXT,
    rows_upserted   INTEGER     NOT NULL DEFAULT 0,
    rows_rejected   INTEGER     NOT NULL DEFAULT 0,
    breaker_state   TEXT        NOT NULL DEFAULT 'closed'
);
