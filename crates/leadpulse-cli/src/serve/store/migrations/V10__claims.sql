-- Several collectors on one database (docs/collector.md, "Two instances on PostgreSQL"); the
-- same columns on SQLite, so the queries are one. A delivery being attempted is claimed until
-- `claimed_until`: no other collector attempts it meanwhile, and if the one that claimed it
-- dies, it is due again once the claim has run out.
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;

-- Jobs that must run on one collector at a time (polling a CRM): who holds each, until when.
CREATE TABLE jobs (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);
