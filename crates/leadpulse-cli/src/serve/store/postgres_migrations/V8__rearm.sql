-- Re-arming (../migrations/V8__rearm.sql).
ALTER TABLE leads ADD COLUMN sent_back_score BIGINT;
