DROP TABLE IF EXISTS ml.model_promotion_audit;
DROP TABLE IF EXISTS trading.trades;
DROP TABLE IF EXISTS trading.model_inferences;
DROP SCHEMA IF EXISTS ml;
DROP SCHEMA IF EXISTS trading;
