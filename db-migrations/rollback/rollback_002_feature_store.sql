DROP TABLE IF EXISTS inference_features_5m;
