DROP TABLE IF EXISTS macro_quarterly;
DROP TABLE IF EXISTS macro_monthly;
DROP TABLE IF EXISTS macro_daily;
DROP TABLE IF EXISTS usdcop_m5_ohlcv;
