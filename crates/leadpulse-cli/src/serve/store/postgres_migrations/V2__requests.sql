-- Requests (../migrations/V2__requests.sql): a lead may come from a request alone.
ALTER TABLE leads ALTER COLUMN summary_id DROP NOT NULL;
ALTER TABLE leads ALTER COLUMN revision DROP NOT NULL;
ALTER TABLE leads ALTER COLUMN model DROP NOT NULL;
ALTER TABLE leads ALTER COLUMN score DROP NOT NULL;
ALTER TABLE leads ADD COLUMN basis TEXT NOT NULL DEFAULT 'consent';
ALTER TABLE leads ADD COLUMN request_id TEXT;
ALTER TABLE leads ADD COLUMN email TEXT;
CREATE INDEX leads_by_email ON leads (email) WHERE email IS NOT NULL;

CREATE TABLE requests (
    id          TEXT PRIMARY KEY,
    lead_id     BIGINT NOT NULL REFERENCES leads (id),
    form        TEXT NOT NULL,
    basis       TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    signed      BIGINT NOT NULL,
    request     TEXT NOT NULL
);
CREATE INDEX requests_by_lead ON requests (lead_id, received_ms);

ALTER TABLE outbox ADD COLUMN lead_id BIGINT;
ALTER TABLE outbox ADD COLUMN event TEXT;
