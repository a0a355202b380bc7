-- Claimed deliveries and jobs held by one collector (../migrations/V10__claims.sql).
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;

CREATE TABLE jobs (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
