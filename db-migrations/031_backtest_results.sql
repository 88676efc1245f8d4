-- 031 (spec): backtest results, the first thing the promotion flow writes.
CREATE TABLE IF NOT EXISTS backtest_results (
    id                SERIAL PRIMARY KEY,
    backtest_uuid     UUID DEFAULT gen_random_uuid() UNIQUE,
    model_id          VARCHAR(100) NOT NULL,
    model_version     VARCHAR(100),
    start_date        DATE NOT NULL,
    end_date          DATE NOT NULL,
    period_type       VARCHAR(20) CHECK (period_type IN ('validation', 'test', 'custom')),
    is_out_of_sample  BOOLEAN DEFAULT TRUE,
    total_trades      INTEGER,
    win_rate          DECIMAL(5,4),
    sharpe_ratio      DECIMAL(8,4),
    max_drawdown_pct  DECIMAL(5,4),
    total_pnl         DECIMAL(12,2),
    total_return_pct  DECIMAL(8,4),
    profit_factor     DECIMAL(8,4),
    trades            JSONB,
    equity_curve      JSONB,
    daily_returns     JSONB,
    signature         VARCHAR(64),
    run_source        VARCHAR(20) CHECK (run_source IN ('backend', 'frontend', 'synthetic')),
    run_at            TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    created_by        VARCHAR(100),
    CONSTRAINT backtest_period_order CHECK (start_date <= end_date)
);
CREATE INDEX IF NOT EXISTS idx_backtest_model  ON backtest_results (model_id);
CREATE INDEX IF NOT EXISTS idx_backtest_period ON backtest_results (period_type);
CREATE INDEX IF NOT EXISTS idx_backtest_run    ON backtest_results (run_at DESC);
