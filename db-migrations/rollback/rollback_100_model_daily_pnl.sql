DROP TABLE IF EXISTS trading.model_daily_pnl;
DROP TABLE IF EXISTS system.projection_offsets;
