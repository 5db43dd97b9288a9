-- PostgreSQL twin of ../0020_agency_keys.sql (ids BIGINT).
-- An API key may belong to an agency (issue 18): it reads and updates the reports that agency
-- handles (bot/domain/agencies.py's rule), and no others. NULL: a key scoped by areas as before.
-- Removing an agency revokes its keys (storage/agencies.py), so none outlives it unscoped.
ALTER TABLE api_keys ADD COLUMN agency_id BIGINT REFERENCES agencies(id);
CREATE INDEX api_keys_agency ON api_keys(agency_id);
