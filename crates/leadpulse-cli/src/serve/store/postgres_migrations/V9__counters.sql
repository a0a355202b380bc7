-- Counters kept with the rows they count (../migrations/V9__counters.sql).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value)
SELECT 'assigned', COUNT(*) FROM leads WHERE owner IS NOT NULL;

CREATE INDEX outbox_held ON outbox (lead_id) WHERE delivered_ms IS NULL;
