-- Counters kept in the same transaction as the rows they count, so a write never counts rows
-- (docs/collector.md, "Upgrades and backups"). `assigned`: leads that were given an owner, whose
-- turn the next one is (round-robin over --owner); back-filled from the leads.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value)
SELECT 'assigned', COUNT(*) FROM leads WHERE owner IS NOT NULL;

-- A summary's push takes back the request push still held for its lead (outbox.rs
-- `take_held`): found by lead among the deliveries not made, not by reading the whole outbox.
CREATE INDEX outbox_held ON outbox (lead_id) WHERE delivered_ms IS NULL;
