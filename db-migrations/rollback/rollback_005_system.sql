DROP TABLE IF EXISTS system.dead_letter_queue;
DROP TABLE IF EXISTS system.stream_watermarks;
DROP TABLE IF EXISTS quarantine;
DROP SCHEMA IF EXISTS system;
