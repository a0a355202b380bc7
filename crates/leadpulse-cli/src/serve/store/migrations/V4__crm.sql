-- CRMs (docs/collector.md, "CRM"): each lead's object in each CRM (a HubSpot contact, a
-- Salesforce Lead) once it was written, so later writes update that object and status changes
-- made in the CRM find their lead. `sent` holds the status values the collector last wrote
-- there (JSON: property → value), so the CRM's echo of its own write is not taken for a
-- decision made in the CRM.
CREATE TABLE crm_links (
    crm          TEXT NOT NULL,          -- hubspot | salesforce
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    object_id    TEXT NOT NULL,
    sent         TEXT NOT NULL DEFAULT '{}',
    linked_ms    INTEGER NOT NULL,
    PRIMARY KEY (crm, lead_id)
);
-- NOTE: not unique: two leads of one person (two devices, one e-mail) share a HubSpot contact.
CREATE INDEX crm_links_by_object ON crm_links (crm, object_id);

-- Where polling a CRM for changes (Salesforce: LastModifiedDate) got to.
CREATE TABLE crm_cursors (
    crm          TEXT PRIMARY KEY,
    cursor       TEXT NOT NULL,
    updated_ms   INTEGER NOT NULL
);
