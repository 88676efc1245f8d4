-- 070: what a backtest row needs beyond the spec's columns (031) to be re-derived and compared:
-- the symbol, how it ran (fast loop or DeployedModel actor; stored or rebuilt features), the bars
-- decided, the equity it started and ended at, exposure and holding, the exact metrics as JSON
-- (the DECIMAL columns are rounded), the rules it ran under, and how long it took. Sharpe and the
-- profit factor can exceed DECIMAL(8,4) on short periods: widened.
ALTER TABLE backtest_results
    ADD COLUMN IF NOT EXISTS symbol            TEXT,
    ADD COLUMN IF NOT EXISTS engine            VARCHAR(10) CHECK (engine IN ('fast', 'actor')),
    ADD COLUMN IF NOT EXISTS features_source   VARCHAR(10) CHECK (features_source IN ('stored', 'rebuilt')),
    ADD COLUMN IF NOT EXISTS bars              INTEGER,
    ADD COLUMN IF NOT EXISTS initial_equity    DOUBLE PRECISION,
    ADD COLUMN IF NOT EXISTS final_equity      DOUBLE PRECISION,
    ADD COLUMN IF NOT EXISTS exposure          DECIMAL(5,4),
    ADD COLUMN IF NOT EXISTS avg_holding_bars  DOUBLE PRECISION,
    ADD COLUMN IF NOT EXISTS metrics           JSONB,
    ADD COLUMN IF NOT EXISTS rules             JSONB,
    ADD COLUMN IF NOT EXISTS elapsed_ms        DOUBLE PRECISION;
ALTER TABLE backtest_results ALTER COLUMN sharpe_ratio TYPE DECIMAL(14,4), ALTER COLUMN profit_factor TYPE DECIMAL(14,4);
CREATE INDEX IF NOT EXISTS idx_backtest_signature ON backtest_results (signature);
