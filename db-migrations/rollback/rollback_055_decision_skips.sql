-- Back to dead letters without skips: a skipped one becomes EXHAUSTED again (kept, listed).
UPDATE system.dead_letter_queue SET status = 'EXHAUSTED' WHERE status = 'SKIPPED';
ALTER TABLE system.dead_letter_queue DROP CONSTRAINT IF EXISTS dead_letter_queue_status_check;
ALTER TABLE system.dead_letter_queue ADD CONSTRAINT dead_letter_queue_status_check
    CHECK (status IN ('PENDING', 'RESOLVED', 'EXHAUSTED'));
DROP TABLE IF EXISTS trading.decision_skips;
