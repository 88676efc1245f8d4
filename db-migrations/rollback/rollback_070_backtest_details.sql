DROP INDEX IF EXISTS idx_backtest_signature;
-- Values beyond the spec's DECIMAL(8,4) cannot go back: they become NULL rather than failing the rollback.
UPDATE backtest_results SET sharpe_ratio = NULL WHERE abs(sharpe_ratio) >= 10000;
UPDATE backtest_results SET profit_factor = NULL WHERE abs(profit_factor) >= 10000;
ALTER TABLE backtest_results ALTER COLUMN sharpe_ratio TYPE DECIMAL(8,4), ALTER COLUMN profit_factor TYPE DECIMAL(8,4);
ALTER TABLE backtest_results
    DROP COLUMN IF EXISTS symbol,
    DROP COLUMN IF EXISTS engine,
    DROP COLUMN IF EXISTS features_source,
    DROP COLUMN IF EXISTS bars,
    DROP COLUMN IF EXISTS initial_equity,
    DROP COLUMN IF EXISTS final_equity,
    DROP COLUMN IF EXISTS exposure,
    DROP COLUMN IF EXISTS avg_holding_bars,
    DROP COLUMN IF EXISTS metrics,
    DROP COLUMN IF EXISTS rules,
    DROP COLUMN IF EXISTS elapsed_ms;
