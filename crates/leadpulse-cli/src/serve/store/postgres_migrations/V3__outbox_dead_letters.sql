-- Dead letters (../migrations/V3__outbox_dead_letters.sql); a queue per receiver.
ALTER TABLE outbox ADD COLUMN dead_ms BIGINT;
DROP INDEX IF EXISTS outbox_due;
CREATE INDEX outbox_due ON outbox (receiver, next_ms) WHERE delivered_ms IS NULL AND dead_ms IS NULL;
CREATE INDEX outbox_dead ON outbox (dead_ms) WHERE delivered_ms IS NULL AND dead_ms IS NOT NULL;
