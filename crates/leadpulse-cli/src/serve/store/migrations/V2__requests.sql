-- Requests: a visitor's explicit request to be contacted (a form, an e-mail in the chat),
-- heard whatever the analytics consent. A lead may now exist from a request alone, before (or
-- without) any summary: the summary columns become optional, and every lead says on which
-- basis it came (`consent`: analytics consent, summaries; `request`: the request only) and,
-- once known, the person's e-mail address (lower case), which joins a request sent without
-- consent and the same person's consented summaries into one lead.
-- NOTE: SQLite cannot drop NOT NULL in place: the table is rebuilt (foreign keys are off
-- while migrations run; the ids stay, so revisions and history still point at their lead).
CREATE TABLE leads_v2 (
    id           INTEGER PRIMARY KEY,
    visitor      TEXT NOT NULL UNIQUE,   -- the visitor id, or form:<e-mail> for a request alone
    stage        TEXT NOT NULL,          -- the highest received: mql | sql
    status       TEXT NOT NULL,          -- marketing | new | review | accepted | rejected | opportunity | won | lost
    trust        TEXT NOT NULL,          -- of the latest revision: verified | unverified | unchecked | rejected
    trust_reason TEXT,
    owner        TEXT,
    summary_id   TEXT,                   -- the latest summary revision, if any
    revision     INTEGER,
    model        TEXT,
    score        INTEGER,
    source       TEXT,                   -- first-touch UTM source, else referrer host
    first_seen_ms INTEGER NOT NULL,
    mql_ms       INTEGER,                -- when the collector first heard of it as an MQL
    sql_ms       INTEGER,                -- … as an SQL or a request (sales got it)
    accepted_ms  INTEGER,
    closed_ms    INTEGER,
    amount       REAL,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL,
    basis        TEXT NOT NULL DEFAULT 'consent',   -- consent | request
    request_id   TEXT,                   -- the latest request, if any
    email        TEXT                    -- lower case, from a summary's traits or a request
);
INSERT INTO leads_v2 (id, visitor, stage, status, trust, trust_reason, owner, summary_id, revision,
    model, score, source, first_seen_ms, mql_ms, sql_ms, accepted_ms, closed_ms, amount,
    created_ms, updated_ms, email)
SELECT l.id, l.visitor, l.stage, l.status, l.trust, l.trust_reason, l.owner, l.summary_id,
    l.revision, l.model, l.score, l.source, l.first_seen_ms, l.mql_ms, l.sql_ms, l.accepted_ms,
    l.closed_ms, l.amount, l.created_ms, l.updated_ms,
    CASE WHEN json_valid(r.summary) THEN lower(json_extract(r.summary, '$.traits.email')) END
FROM leads l LEFT JOIN revisions r ON r.id = l.summary_id;
DROP TABLE leads;
ALTER TABLE leads_v2 RENAME TO leads;
CREATE INDEX leads_by_update ON leads (updated_ms DESC);
CREATE INDEX leads_by_email ON leads (email) WHERE email IS NOT NULL;

CREATE TABLE requests (
    id           TEXT PRIMARY KEY,       -- the request id (idempotency key)
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    form         TEXT NOT NULL,
    basis        TEXT NOT NULL,          -- consent | request
    received_ms  INTEGER NOT NULL,
    signed       INTEGER NOT NULL,
    request      TEXT NOT NULL           -- the JSON as received (a form post: as built from it)
);
CREATE INDEX requests_by_lead ON requests (lead_id, received_ms);

-- A delivery knows its lead and what it tells (lead.sql, lead.revision, lead.request): a
-- request's push is held a moment so that the summary the same click hands off can carry it
-- (one message to sales, not two).
ALTER TABLE outbox ADD COLUMN lead_id INTEGER;
ALTER TABLE outbox ADD COLUMN event TEXT;
