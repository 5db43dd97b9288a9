-- Citizens, categories, reports with photos and an append-only event history, and drafts.
-- Times are UTC ISO-8601 text.

CREATE TABLE citizens (
    user_id          INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL,
    language         TEXT    NOT NULL DEFAULT 'id',
    language_chosen  INTEGER NOT NULL DEFAULT 0,   -- 1 once the citizen picked it with /language
    created_at       TEXT    NOT NULL,
    blocked_at       TEXT,
    banned_at        TEXT
);

CREATE TABLE categories (
    key            TEXT PRIMARY KEY,
    emoji          TEXT    NOT NULL,
    name_id        TEXT    NOT NULL,
    name_en        TEXT    NOT NULL,
    sla_hours      INTEGER NOT NULL,
    photo_required INTEGER NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    position       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id      INTEGER NOT NULL REFERENCES citizens(user_id),
    category_key    TEXT    NOT NULL REFERENCES categories(key),
    lat             REAL    NOT NULL,
    lon             REAL    NOT NULL,
    place_name      TEXT,                -- a venue title the citizen shared
    address         TEXT,                -- a street address (venue address or geocoder)
    area_code       TEXT,                -- kelurahan code; NULL outside the service area
    description     TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'new',
    visibility      TEXT    NOT NULL DEFAULT 'public',
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    acknowledged_at TEXT,
    resolved_at     TEXT,
    duplicate_of    INTEGER REFERENCES reports(id),
    supporters      INTEGER NOT NULL DEFAULT 0,
    draft_token     TEXT UNIQUE          -- makes Confirm idempotent: one draft, one report
);
CREATE INDEX reports_lat_lon ON reports(lat, lon);
CREATE INDEX reports_area_status ON reports(area_code, status);
CREATE INDEX reports_citizen_created ON reports(citizen_id, created_at);

-- Reference numbers start at #1001 so they read as references, not counters.
INSERT INTO sqlite_sequence(name, seq) VALUES ('reports', 1000);

CREATE TABLE report_photos (
    id             INTEGER PRIMARY KEY,
    report_id      INTEGER NOT NULL REFERENCES reports(id),
    position       INTEGER NOT NULL,
    file_id        TEXT    NOT NULL,
    file_unique_id TEXT    NOT NULL,
    role           TEXT    NOT NULL DEFAULT 'citizen'   -- citizen | resolution
);
CREATE INDEX report_photos_report ON report_photos(report_id);

CREATE TABLE report_events (
    id            INTEGER PRIMARY KEY,
    report_id     INTEGER NOT NULL REFERENCES reports(id),
    at            TEXT    NOT NULL,
    actor_kind    TEXT    NOT NULL,   -- citizen | officer | admin | agency | system
    actor_id      INTEGER,
    old_status    TEXT,
    new_status    TEXT    NOT NULL,
    note          TEXT,
    photo_file_id TEXT
);
CREATE INDEX report_events_report ON report_events(report_id, id);

-- A citizen's report in progress: written before every answer, so a crash or restart loses nothing.
CREATE TABLE drafts (
    user_id          INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL,
    token            TEXT    NOT NULL,   -- changes with every new draft; stale buttons carry old ones
    step             TEXT    NOT NULL,
    category_key     TEXT,
    lat              REAL,
    lon              REAL,
    place_name       TEXT,
    address          TEXT,
    photos           TEXT    NOT NULL DEFAULT '[]',  -- JSON list of [file_id, file_unique_id]
    photos_done      INTEGER NOT NULL DEFAULT 0,
    description      TEXT,
    editing          INTEGER NOT NULL DEFAULT 0,     -- unused since 0002 (the step decides)
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    cancelled_at     TEXT                            -- kept for "undo" until a new draft starts
);
