-- 034: a feature row records how old its macro inputs are. macro_as_of is the date of the oldest
-- of the newest available values of the seven macro series the features read (NULL while any
-- has none), so a model can refuse to trade on stale macro data (readiness), and a dataset or
-- backtest can see which rows were built on old values.
ALTER TABLE inference_features_5m ADD COLUMN IF NOT EXISTS macro_as_of DATE;
COMMENT ON COLUMN inference_features_5m.macro_as_of IS
    'Oldest of the newest available dates of the macro series behind features 6-12 at the bar''s start; NULL while any series has none.';
