DROP TABLE IF EXISTS backtest_results;
