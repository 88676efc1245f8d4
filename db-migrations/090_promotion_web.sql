-- 090: the promotion web UI (issue 17). Who may look and vote (cop_users: a salted PBKDF2 hash,
-- never the password), who asked for a promotion (four eyes: the requester never approves it) and
-- whether it retires the experiment's previous production model, the experiment a model belongs
-- to, and the audit of every request, vote and kill-switch change (stage changes and deploys are
-- rows of ml.model_promotion_audit, the spec's table).
CREATE TABLE IF NOT EXISTS cop_users (
    email          VARCHAR(100) PRIMARY KEY,
    role           VARCHAR(20)  NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
    password_hash  TEXT         NOT NULL,
    created_at     TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    updated_at     TIMESTAMPTZ  NOT NULL DEFAULT NOW()
);

ALTER TABLE promotion_requests ADD COLUMN IF NOT EXISTS requested_by VARCHAR(100);
ALTER TABLE promotion_requests ADD COLUMN IF NOT EXISTS retire_previous BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE model_registry ADD COLUMN IF NOT EXISTS experiment_name VARCHAR(100);

CREATE TABLE IF NOT EXISTS ml.promotion_events (
    id            BIGSERIAL    PRIMARY KEY,
    at            TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    actor         VARCHAR(100) NOT NULL,
    action        VARCHAR(20)  NOT NULL CHECK (action IN ('request', 'auto_vote', 'manual_vote', 'kill_switch', 'backtest')),
    model_id      VARCHAR(100),
    request_uuid  UUID,
    detail        TEXT         NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_promotion_events_at ON ml.promotion_events (at DESC);
