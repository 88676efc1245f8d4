-- 041 (issue 13): operator decisions on macro series, the audit trail of `cop macro accept`
-- (a new level from from_date) and `cop macro reject` (from_date..to_date is bad). Validation
-- reads them on every run, so a decision holds for later fetches of the same dates too.
CREATE TABLE IF NOT EXISTS macro_decisions (
    id                   BIGSERIAL   PRIMARY KEY,
    variable             TEXT        NOT NULL,
    action               TEXT        NOT NULL CHECK (action IN ('accept', 'reject')),
    from_date            DATE        NOT NULL,
    to_date              DATE,                  -- reject: the last bad date
    reason               TEXT        NOT NULL,
    decided_by           TEXT        NOT NULL,
    decided_at           TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    values_accepted      INT         NOT NULL DEFAULT 0,
    values_rejected      INT         NOT NULL DEFAULT 0,
    feature_rows_rebuilt INT         NOT NULL DEFAULT 0,
    CHECK (action = 'accept' OR to_date >= from_date)
);
CREATE INDEX IF NOT EXISTS idx_macro_decisions_variable ON macro_decisions (variable, decided_at);
