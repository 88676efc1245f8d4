-- 050 only repaired data (watermarks that named no row): no schema to undo, and the wrong
-- watermarks are not worth restoring.
SELECT 1;
