-- Anonymous and confidential reports (issue 18; the modes are bot/domain/privacy.py's).
--
-- reports.visibility (since 0001, 'public' until now) is the report's mode: 'public',
-- 'anonymous' or 'confidential'. Who filed it, as Telegram named them then, is kept for staff
-- only when the mode shows the reporter: an anonymous report keeps NULL here, so nothing can
-- show it. Reports filed before this migration have no name (staff see "citizen", as before).
ALTER TABLE reports ADD COLUMN reporter_name TEXT;
ALTER TABLE reports ADD COLUMN reporter_username TEXT;

-- The citizen's default (/settings), and the mode chosen on a draft's summary (NULL: not
-- chosen, so the default or the category's rule applies).
ALTER TABLE citizens ADD COLUMN default_visibility TEXT NOT NULL DEFAULT 'public';
ALTER TABLE drafts ADD COLUMN visibility TEXT;

-- The staff list's "confidential in my areas" and Open311's published lists filter on it.
CREATE INDEX reports_visibility ON reports(visibility, area_code);
