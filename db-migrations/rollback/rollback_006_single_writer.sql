-- Undo 006 in this database. The roles stay: other databases of the cluster may use them.
REVOKE ALL ON usdcop_m5_ohlcv, macro_daily, macro_monthly, macro_quarterly, quarantine FROM cop_feature_writer, cop_ingester;
REVOKE ALL ON inference_features_5m FROM cop_feature_writer, cop_ingester;
REVOKE ALL ON SEQUENCE quarantine_id_seq FROM cop_ingester;
REVOKE ALL ON inference_features_5m FROM PUBLIC;
DROP TABLE IF EXISTS bar_repairs;
DROP INDEX IF EXISTS idx_quarantine_reason;
ALTER TABLE quarantine DROP COLUMN IF EXISTS reason_code;
