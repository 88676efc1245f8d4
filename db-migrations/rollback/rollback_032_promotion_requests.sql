DROP TRIGGER IF EXISTS trg_promotion_updated ON promotion_requests;
DROP FUNCTION IF EXISTS update_promotion_timestamp();
DROP TABLE IF EXISTS promotion_requests;
