-- Back to experiment runs without their models and row counts.
DROP TABLE IF EXISTS experiment_models;
ALTER TABLE experiment_runs DROP COLUMN IF EXISTS split_rows;
