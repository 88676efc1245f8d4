DROP TABLE IF EXISTS macro_variable_runs;
ALTER TABLE macro_daily     DROP COLUMN IF EXISTS filled_columns;
ALTER TABLE macro_monthly   DROP COLUMN IF EXISTS filled_columns;
ALTER TABLE macro_quarterly DROP COLUMN IF EXISTS filled_columns;
