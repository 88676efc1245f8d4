DROP TABLE IF EXISTS macro_rejections;
