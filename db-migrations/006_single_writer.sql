-- 006: the feature store has one writer, enforced by grants (issue 3), and the ingester's
-- audit of repaired bars. Roles are cluster-wide, so they are created only when missing.
-- Connections take a role with `Options=-c role=<name>` (the login must be a NOINHERIT member; a
-- superuser may take any role). Superusers bypass grants: production logins must not be superusers.
-- Two databases of one cluster (or two hosts) may migrate at the same moment: the loser of the
-- race gets duplicate_object/unique_violation, which means the role exists. Fine.
DO $$
BEGIN
    CREATE ROLE cop_feature_writer NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
DO $$
BEGIN
    CREATE ROLE cop_ingester NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- Rejections are counted by reason; reason stays the human sentence.
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS reason_code TEXT;
CREATE INDEX IF NOT EXISTS idx_quarantine_reason ON quarantine (source, reason_code);

-- Every bar whose timestamp the ingester changed, with the rule that changed it.
CREATE TABLE IF NOT EXISTS bar_repairs (
    symbol         TEXT        NOT NULL,
    time           TIMESTAMPTZ NOT NULL,
    original_time  TEXT        NOT NULL,
    rule           TEXT        NOT NULL,
    origin         TEXT        NOT NULL,
    repaired_at    TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (symbol, time)
);

-- Only the feature writer may write features; everyone may read them.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON inference_features_5m FROM PUBLIC;
GRANT SELECT ON inference_features_5m TO PUBLIC;
GRANT INSERT, UPDATE ON inference_features_5m TO cop_feature_writer;
GRANT SELECT ON usdcop_m5_ohlcv, macro_daily, macro_monthly, macro_quarterly TO cop_feature_writer;

-- The ingester writes bars, repairs and quarantine, and nothing downstream.
GRANT SELECT, INSERT ON usdcop_m5_ohlcv, bar_repairs TO cop_ingester;
GRANT SELECT, INSERT ON quarantine TO cop_ingester;
GRANT USAGE ON SEQUENCE quarantine_id_seq TO cop_ingester;
