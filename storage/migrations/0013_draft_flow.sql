-- The five-action report: a place taken from a typed area name is only approximate (the middle
-- of the kelurahan, not the spot), and a description over the limit is kept while the citizen
-- decides whether to cut it.
ALTER TABLE drafts ADD COLUMN approximate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE drafts ADD COLUMN long_description TEXT;   -- over the limit, awaiting "cut it?"
ALTER TABLE reports ADD COLUMN approximate INTEGER NOT NULL DEFAULT 0;
