DROP TABLE IF EXISTS ml.promotion_events;
ALTER TABLE model_registry DROP COLUMN IF EXISTS experiment_name;
ALTER TABLE promotion_requests DROP COLUMN IF EXISTS retire_previous;
ALTER TABLE promotion_requests DROP COLUMN IF EXISTS requested_by;
DROP TABLE IF EXISTS cop_users;
