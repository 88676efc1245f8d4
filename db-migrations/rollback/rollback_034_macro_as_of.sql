-- Back to rows without the macro date (readiness then has only the feature values).
ALTER TABLE inference_features_5m DROP COLUMN IF EXISTS macro_as_of;
