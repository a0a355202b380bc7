-- People (docs/collector.md, "Users and roles"): one API token per person, stored only as its
-- SHA-256 hash. A revoked user keeps their row (their name stays in the history) with
-- `revoked_ms` set; adding the name again gives them a new token.
CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,          -- rep | admin
    token_hash   TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the token; the token itself is never stored
    created_ms   INTEGER NOT NULL,
    last_used_ms INTEGER,                -- to the minute
    revoked_ms   INTEGER
);

-- Response times (docs/collector.md, "Response times (SLA)"): a lead handed to an owner with a
-- window gets a reminder to that owner once the window has passed, and moves to the next owner
-- one more window after the reminder. One row per lead, rewritten each time it is handed to
-- sales; `round` counts the windows the lead has had, so each reminder and each move happens
-- once per window (the row says what was sent, in the same transaction as its deliveries).
CREATE TABLE sla (
    lead_id      INTEGER PRIMARY KEY REFERENCES leads (id),
    window_ms    INTEGER NOT NULL,
    round        INTEGER NOT NULL,       -- 1, 2, … over the lead's life
    owner        TEXT NOT NULL,          -- whose window it is
    first_owner  TEXT NOT NULL,          -- who had the lead when it was handed to sales
    moves        INTEGER NOT NULL,       -- owners it moved to since then
    started_ms   INTEGER NOT NULL,       -- when `owner` got the lead
    reminded_ms  INTEGER,                -- when `owner` was reminded
    ended_ms     INTEGER                 -- reminded, and nobody left to move it to
);
CREATE INDEX sla_open ON sla (started_ms) WHERE ended_ms IS NULL;

-- A history entry may give the lead a new owner (an SLA reassignment): who got it.
ALTER TABLE history ADD COLUMN owner TEXT;

-- Who put a dead delivery back in its queue, and when.
ALTER TABLE outbox ADD COLUMN retried_by TEXT;
ALTER TABLE outbox ADD COLUMN retried_ms INTEGER;
