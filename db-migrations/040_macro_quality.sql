-- 040 (issue 13): macro data quality. The values validation rejected, one row per (series, date)
-- with the rule and the accepted value they were compared with: a repeated fetch of the same bad
-- value updates its row instead of piling up, and `cop macro status` counts what is waiting after
-- a series' last accepted date. Every new or changed rejection is also a quarantine row.
CREATE TABLE IF NOT EXISTS macro_rejections (
    variable          TEXT             NOT NULL,
    fecha             DATE             NOT NULL,
    value             DOUBLE PRECISION,            -- NULL when the cell was not a number
    raw_text          TEXT             NOT NULL,   -- the value as published
    rule              TEXT             NOT NULL,
    reason            TEXT             NOT NULL,
    reference_date    DATE,
    reference_value   DOUBLE PRECISION,
    first_rejected_at TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    last_rejected_at  TIMESTAMPTZ      NOT NULL DEFAULT NOW(),
    PRIMARY KEY (variable, fecha)
);
