-- The collector's own keys (../migrations/V7__sales_status.sql).
CREATE TABLE keys (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
