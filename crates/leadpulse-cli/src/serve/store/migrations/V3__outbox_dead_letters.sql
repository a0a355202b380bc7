-- Dead letters (docs/collector.md, "Delivery guarantees"): a delivery its receiver refused for
-- good (410 Gone, another permanent 4xx) or that failed its last allowed attempt is no longer
-- tried; `dead_ms` says since when. `POST /api/outbox/{id}/retry` puts it back.
ALTER TABLE outbox ADD COLUMN dead_ms INTEGER;
-- Each receiver has its own queue: what is due is looked up per receiver.
DROP INDEX IF EXISTS outbox_due;
CREATE INDEX outbox_due ON outbox (receiver, next_ms) WHERE delivered_ms IS NULL AND dead_ms IS NULL;
CREATE INDEX outbox_dead ON outbox (dead_ms) WHERE delivered_ms IS NULL AND dead_ms IS NOT NULL;
