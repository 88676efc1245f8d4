DROP FUNCTION IF EXISTS update_feature_store_model_id(VARCHAR, TIMESTAMPTZ);
DROP INDEX IF EXISTS idx_inf_feat_model;
-- model_id stays: 002 created it with the table (the spec added it to an existing table).
