-- 060: experiment records (issue 15). A dataset run keeps its rows per split and the rows left out
-- for a NULL feature (`split_rows`), so `cop experiments show` reports them without opening the
-- file; `experiment_models` is one trained model per row: which dataset version it learned from,
-- where its ONNX file is in the object store, how it was trained and its validation figures next
-- to the three baselines' (flat, buy-and-hold, the linear baseline) on the same bars.
ALTER TABLE experiment_runs ADD COLUMN IF NOT EXISTS split_rows JSONB;
COMMENT ON COLUMN experiment_runs.split_rows IS
    '{"train": {"rows": n, "left_out": m}, "validation": ..., "test": ...}: learnable rows and rows left out for a NULL feature.';

CREATE TABLE IF NOT EXISTS experiment_models (
    id                SERIAL       PRIMARY KEY,
    experiment_name   VARCHAR(100) NOT NULL,
    dataset_version   VARCHAR(100) NOT NULL,
    model_id          VARCHAR(100) NOT NULL,
    model_version     VARCHAR(100) NOT NULL,
    onnx_path         TEXT         NOT NULL,
    onnx_sha256       CHAR(64)     NOT NULL,
    seed              INTEGER      NOT NULL,
    timesteps         BIGINT       NOT NULL CHECK (timesteps >= 0),
    training_seconds  DOUBLE PRECISION NOT NULL CHECK (training_seconds >= 0),
    validation        JSONB        NOT NULL,
    log_path          TEXT,
    created_at        TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    UNIQUE (model_id, model_version),
    FOREIGN KEY (experiment_name, dataset_version) REFERENCES experiment_runs (experiment_name, version)
);
CREATE INDEX IF NOT EXISTS idx_experiment_models_experiment ON experiment_models (experiment_name, created_at);
COMMENT ON TABLE experiment_models IS
    'Models trained on an experiment''s dataset (cop train): object-store path and hash of the ONNX file, seed, timesteps, validation figures.';
