-- 030 (spec numbering): model_id on the feature store and the promotion helper.
ALTER TABLE inference_features_5m ADD COLUMN IF NOT EXISTS model_id VARCHAR(100);
CREATE INDEX IF NOT EXISTS idx_inf_feat_model ON inference_features_5m (model_id);

-- Marks features from a model's training start that no model has claimed yet.
CREATE OR REPLACE FUNCTION update_feature_store_model_id(
    p_model_id VARCHAR(100),
    p_training_start_date TIMESTAMPTZ
) RETURNS INTEGER AS $$
DECLARE
    v_rows_updated INTEGER;
BEGIN
    UPDATE inference_features_5m
       SET model_id = p_model_id, updated_at = NOW()
     WHERE time >= p_training_start_date
       AND model_id IS NULL;
    GET DIAGNOSTICS v_rows_updated = ROW_COUNT;
    RETURN v_rows_updated;
END;
$$ LANGUAGE plpgsql;
