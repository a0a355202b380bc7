-- Keys the collector makes for itself, once, and keeps with its data (so every instance on
-- one database uses the same): `status` signs the tokens with which a visitor's own browser
-- asks what sales did with their lead (docs/collector.md, "What the site learns").
CREATE TABLE keys (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
