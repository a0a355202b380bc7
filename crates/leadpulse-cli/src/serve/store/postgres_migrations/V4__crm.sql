-- CRMs (../migrations/V4__crm.sql).
CREATE TABLE crm_links (
    crm       TEXT NOT NULL,
    lead_id   BIGINT NOT NULL REFERENCES leads (id),
    object_id TEXT NOT NULL,
    sent      TEXT NOT NULL DEFAULT '{}',
    linked_ms BIGINT NOT NULL,
    PRIMARY KEY (crm, lead_id)
);
CREATE INDEX crm_links_by_object ON crm_links (crm, object_id);

CREATE TABLE crm_cursors (
    crm        TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);
