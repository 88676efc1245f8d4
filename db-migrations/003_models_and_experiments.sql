-- 003: model registry and experiment metadata (datasets and models themselves live in files).
CREATE TABLE IF NOT EXISTS model_registry (
    model_id             VARCHAR(100) PRIMARY KEY,
    model_version        VARCHAR(100) NOT NULL,
    file_path            TEXT         NOT NULL,
    file_sha256          CHAR(64)     NOT NULL,
    feature_order_hash   CHAR(64)     NOT NULL,
    norm_stats           JSONB        NOT NULL,
    norm_stats_hash      CHAR(64)     NOT NULL,
    status               VARCHAR(20)  NOT NULL DEFAULT 'registered'
        CHECK (status IN ('registered', 'staging', 'deployed', 'retired')),
    kill_switch          BOOLEAN      NOT NULL DEFAULT FALSE,
    training_start_date  TIMESTAMPTZ,
    training_end_date    TIMESTAMPTZ,
    last_error           TEXT,
    registered_at        TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    deployed_at          TIMESTAMPTZ,
    updated_at           TIMESTAMPTZ  NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_model_registry_status ON model_registry (status);

CREATE TABLE IF NOT EXISTS experiment_runs (
    id               SERIAL PRIMARY KEY,
    experiment_name  VARCHAR(100) NOT NULL,
    version          VARCHAR(100) NOT NULL,
    dataset_path     TEXT         NOT NULL,
    dataset_hash     CHAR(64)     NOT NULL,
    config           JSONB,
    train_start      TIMESTAMPTZ,
    train_end        TIMESTAMPTZ,
    val_start        TIMESTAMPTZ,
    val_end          TIMESTAMPTZ,
    test_start       TIMESTAMPTZ,
    test_end         TIMESTAMPTZ,
    norm_stats       JSONB,
    created_at       TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    UNIQUE (experiment_name, version)
);
