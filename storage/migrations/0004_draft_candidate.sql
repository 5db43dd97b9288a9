-- A place found for an address the citizen typed, shown to them and awaiting their yes.
ALTER TABLE drafts ADD COLUMN candidate TEXT;   -- JSON {"lat", "lon", "label", "address"} or NULL
