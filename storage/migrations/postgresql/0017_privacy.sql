-- PostgreSQL twin of storage/migrations/0017_privacy.sql: anonymous and confidential reports
-- (issue 18; the modes are bot/domain/privacy.py's). Same columns, same meaning:
-- reports.visibility is 'public', 'anonymous' or 'confidential'; an anonymous report keeps no
-- reporter_name/reporter_username; citizens.default_visibility is the /settings default;
-- drafts.visibility is the summary's choice (NULL: not chosen).
ALTER TABLE reports ADD COLUMN reporter_name TEXT;
ALTER TABLE reports ADD COLUMN reporter_username TEXT;

ALTER TABLE citizens ADD COLUMN default_visibility TEXT NOT NULL DEFAULT 'public';
ALTER TABLE drafts ADD COLUMN visibility TEXT;

CREATE INDEX reports_visibility ON reports(visibility, area_code);
