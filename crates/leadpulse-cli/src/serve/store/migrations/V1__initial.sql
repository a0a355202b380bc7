-- The schema of the first release (8f39f91), unversioned then: IF NOT EXISTS, so a database
-- that release made is adopted as version 1 unchanged.
CREATE TABLE IF NOT EXISTS leads (
    id           INTEGER PRIMARY KEY,
    visitor      TEXT NOT NULL UNIQUE,
    stage        TEXT NOT NULL,          -- the highest received: mql | sql
    status       TEXT NOT NULL,          -- marketing | new | accepted | rejected | opportunity | won | lost
    trust        TEXT NOT NULL,          -- of the latest revision: verified | unverified | rejected
    trust_reason TEXT,
    owner        TEXT,
    summary_id   TEXT NOT NULL,          -- the latest revision
    revision     INTEGER NOT NULL,
    model        TEXT NOT NULL,
    score        INTEGER NOT NULL,
    source       TEXT,                   -- first-touch UTM source, else referrer host
    first_seen_ms INTEGER NOT NULL,
    mql_ms       INTEGER,                -- when the collector first heard of it as an MQL
    sql_ms       INTEGER,                -- … as an SQL (sales got it)
    accepted_ms  INTEGER,
    closed_ms    INTEGER,
    amount       REAL,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS leads_by_update ON leads (updated_ms DESC);

CREATE TABLE IF NOT EXISTS revisions (
    id           TEXT PRIMARY KEY,       -- the summary id (idempotency key)
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    revision     INTEGER NOT NULL,
    received_ms  INTEGER NOT NULL,
    signed       INTEGER NOT NULL,
    trust        TEXT NOT NULL,
    trust_reason TEXT,
    summary      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revisions_by_lead ON revisions (lead_id, revision);

CREATE TABLE IF NOT EXISTS history (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    at_ms        INTEGER NOT NULL,
    by           TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    reason       TEXT,
    amount       REAL
);
CREATE INDEX IF NOT EXISTS history_by_lead ON history (lead_id, at_ms);

CREATE TABLE IF NOT EXISTS outbox (
    id           INTEGER PRIMARY KEY,
    receiver     TEXT NOT NULL,          -- the URL
    kind         TEXT NOT NULL,          -- webhook | slack
    summary_id   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_ms      INTEGER NOT NULL,
    delivered_ms INTEGER,
    last_error   TEXT,
    created_ms   INTEGER NOT NULL,
    UNIQUE (receiver, summary_id)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_ms) WHERE delivered_ms IS NULL;
