-- Back to polling (V6): drop the triggers and their functions; the indexes go too so that a
-- re-apply starts clean.
DROP TRIGGER IF EXISTS trg_notify_ohlcv ON usdcop_m5_ohlcv;
DROP TRIGGER IF EXISTS trg_notify_features ON inference_features_5m;
DROP FUNCTION IF EXISTS notify_new_ohlcv_bar();
DROP FUNCTION IF EXISTS notify_new_features();
DROP FUNCTION IF EXISTS get_latest_feature_time();
DROP INDEX IF EXISTS idx_features_time_desc;
DROP INDEX IF EXISTS idx_ohlcv_time_desc;
