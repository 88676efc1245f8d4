DROP TABLE IF EXISTS experiment_runs;
DROP TABLE IF EXISTS model_registry;
