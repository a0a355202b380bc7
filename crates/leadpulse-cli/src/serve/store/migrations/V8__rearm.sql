-- A lead sales sent back (rejected) remembers its score at that moment: a later summary hands
-- it to sales again only once its score has risen by the model's `stages.sql.rearmPoints`
-- above it (docs/collector.md, "Leads, statuses and trust"). NULL for leads rejected before
-- this version: their stored score stands in.
ALTER TABLE leads ADD COLUMN sent_back_score INTEGER;
