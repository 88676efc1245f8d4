-- 032 (spec): dual-vote promotion requests (automatic metrics vote + manual checklist vote).
CREATE TABLE IF NOT EXISTS promotion_requests (
    id                            SERIAL PRIMARY KEY,
    request_uuid                  UUID DEFAULT gen_random_uuid() UNIQUE,
    model_id                      VARCHAR(100) NOT NULL,
    model_version                 VARCHAR(100) NOT NULL,
    backtest_id                   UUID REFERENCES backtest_results (backtest_uuid),
    backtest_period               VARCHAR(20),
    auto_vote_status              VARCHAR(20) DEFAULT 'pending'
        CHECK (auto_vote_status IN ('pending', 'passed', 'failed')),
    auto_vote_details             JSONB,
    auto_vote_at                  TIMESTAMPTZ,
    manual_vote_status            VARCHAR(20) DEFAULT 'pending'
        CHECK (manual_vote_status IN ('pending', 'approved', 'rejected')),
    manual_vote_by                VARCHAR(100),
    manual_vote_at                TIMESTAMPTZ,
    manual_vote_comment           TEXT,
    checklist_backtest_reviewed   BOOLEAN DEFAULT FALSE,
    checklist_metrics_acceptable  BOOLEAN DEFAULT FALSE,
    checklist_team_notified       BOOLEAN DEFAULT FALSE,
    final_decision                VARCHAR(20) DEFAULT 'pending'
        CHECK (final_decision IN ('pending', 'promoted', 'rejected', 'override_promoted')),
    target_stage                  VARCHAR(20) CHECK (target_stage IN ('staging', 'production')),
    created_at                    TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at                    TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    promoted_at                   TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_promo_model   ON promotion_requests (model_id);
CREATE INDEX IF NOT EXISTS idx_promo_status  ON promotion_requests (final_decision);
CREATE INDEX IF NOT EXISTS idx_promo_created ON promotion_requests (created_at DESC);

CREATE OR REPLACE FUNCTION update_promotion_timestamp()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_promotion_updated ON promotion_requests;
CREATE TRIGGER trg_promotion_updated
    BEFORE UPDATE ON promotion_requests
    FOR EACH ROW EXECUTE FUNCTION update_promotion_timestamp();
