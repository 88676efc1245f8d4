DROP TABLE IF EXISTS macro_decisions;
