-- Agencies and hand-offs (issue 18). An agency (Dinas SDA, PLN, Satpol PP) handles some
-- categories in some areas (none listed: everywhere); its Telegram groups get a card for every
-- report it handles, beside the kelurahan group. A hand-off ("bukan wewenang kami") gives a
-- report to one agency (reports.agency_id: then only its groups have it) or to another area.
CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL UNIQUE,   -- lower(name): "dinas sda" finds it on both engines
    created_by INTEGER,                   -- a Telegram user id, NULL from the CLI
    created_at TEXT    NOT NULL
);
CREATE TABLE agency_categories (
    agency_id    INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    category_key TEXT    NOT NULL,
    PRIMARY KEY (agency_id, category_key)
);
CREATE INDEX agency_categories_key ON agency_categories(category_key);
CREATE TABLE agency_areas (
    agency_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    scope     TEXT    NOT NULL,           -- kelurahan | kecamatan | kota, as area_groups
    scope_key TEXT    NOT NULL,
    PRIMARY KEY (agency_id, scope, scope_key)
);
CREATE TABLE agency_groups (
    chat_id   INTEGER NOT NULL,
    agency_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    title     TEXT,
    linked_by INTEGER,
    linked_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, agency_id)
);
CREATE INDEX agency_groups_agency ON agency_groups(agency_id);

-- The agency a hand-off gave the report to; NULL: its area's groups and its category's agencies.
ALTER TABLE reports ADD COLUMN agency_id INTEGER REFERENCES agencies(id);

-- Every hand-off, with the names as they were (an agency removed later stays in the history).
CREATE TABLE handoffs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  INTEGER NOT NULL REFERENCES reports(id),
    event_id   INTEGER NOT NULL,          -- the report_events row that tells the followers
    from_owner TEXT    NOT NULL,          -- who had it: an agency's name or an area's label
    to_owner   TEXT    NOT NULL,
    to_agency  INTEGER,                   -- agencies.id, NULL for a hand-off to an area
    to_area    TEXT,                      -- areas' kelurahan code, NULL for an agency
    note       TEXT    NOT NULL,
    actor_kind TEXT    NOT NULL,
    actor_id   INTEGER,
    created_at TEXT    NOT NULL
);
CREATE INDEX handoffs_report ON handoffs(report_id, id);
