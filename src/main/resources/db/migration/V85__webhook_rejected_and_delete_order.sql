-- A signed delivery whose topic/resource headers do not fit its body (the headers are not signed) is kept as
-- 'rejected', with the reason in last_error, and never processed.
ALTER TABLE webhook_event DROP CONSTRAINT webhook_event_status;
ALTER TABLE webhook_event ADD CONSTRAINT webhook_event_status
    CHECK (status IN ('pending', 'processed', 'duplicate', 'dead', 'rejected'));

-- When a resource was deleted (the delete event's receipt time, GMT, same format as modified_gmt): a delete
-- older than the stored modification changes nothing, and an update not newer than the delete does not bring
-- the resource back.
ALTER TABLE wc_order ADD COLUMN deleted_gmt TEXT;
ALTER TABLE wc_product ADD COLUMN deleted_gmt TEXT;
ALTER TABLE wc_customer ADD COLUMN deleted_gmt TEXT;
ALTER TABLE wc_coupon ADD COLUMN deleted_gmt TEXT;
ALTER TABLE wp_post ADD COLUMN deleted_gmt TEXT;
