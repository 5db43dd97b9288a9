-- Routing to kelurahan groups: areas, group links, officers and their invites, followers,
-- the outbox of asynchronous messages, the alert cards posted in groups, and pending replies.

CREATE TABLE areas (
    code     TEXT PRIMARY KEY,   -- BPS kelurahan code
    name     TEXT NOT NULL,      -- kelurahan
    district TEXT NOT NULL,      -- kecamatan
    city     TEXT NOT NULL,      -- kota / kabupaten
    min_lat  REAL NOT NULL,
    min_lon  REAL NOT NULL,
    max_lat  REAL NOT NULL,
    max_lon  REAL NOT NULL
);

-- A group covers one or more scopes: a kelurahan (by code), a kecamatan or a kota (by name).
CREATE TABLE area_groups (
    chat_id   INTEGER NOT NULL,
    scope     TEXT    NOT NULL CHECK (scope IN ('kelurahan', 'kecamatan', 'kota')),
    scope_key TEXT    NOT NULL,
    title     TEXT,
    linked_by INTEGER NOT NULL,
    linked_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, scope, scope_key)
);
CREATE INDEX area_groups_scope ON area_groups(scope, scope_key);

CREATE TABLE officers (
    user_id   INTEGER NOT NULL,
    scope     TEXT    NOT NULL CHECK (scope IN ('kelurahan', 'kecamatan', 'kota')),
    scope_key TEXT    NOT NULL,
    role      TEXT    NOT NULL DEFAULT 'officer',
    added_by  INTEGER,
    added_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, scope, scope_key)
);

CREATE TABLE officer_invites (
    token      TEXT PRIMARY KEY,
    scope      TEXT    NOT NULL,
    scope_key  TEXT    NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_by    INTEGER,
    used_at    TEXT
);

CREATE TABLE followers (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    user_id   INTEGER NOT NULL,
    added_at  TEXT    NOT NULL,
    PRIMARY KEY (report_id, user_id)
);

ALTER TABLE report_events ADD COLUMN actor_name TEXT;

-- Every asynchronous message: written in the same transaction as the change that causes it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL DEFAULT '{}',
    dedupe_key      TEXT    UNIQUE,
    priority        INTEGER NOT NULL DEFAULT 10,    -- lower goes first: follow-ups before broadcasts
    not_before      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    state           TEXT    NOT NULL DEFAULT 'pending',   -- pending | sent | dead
    last_error      TEXT,
    sent_message_id INTEGER,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    broadcast_id    INTEGER,
    report_id       INTEGER
);
CREATE INDEX outbox_due ON outbox(state, not_before, priority, id);

-- The alert card (the message with status buttons) each group got for a report.
CREATE TABLE alert_messages (
    report_id  INTEGER NOT NULL REFERENCES reports(id),
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    posted_at  TEXT    NOT NULL,
    PRIMARY KEY (report_id, chat_id)
);
CREATE UNIQUE INDEX alert_messages_message ON alert_messages(chat_id, message_id);

-- A question the bot asked in a group (a reject reason, a duplicate's number, an "after" photo),
-- answered by replying to it.
CREATE TABLE pending_replies (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    report_id  INTEGER NOT NULL REFERENCES reports(id),
    action     TEXT    NOT NULL,
    officer_id INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);

-- Nearby open reports of a category: an R*Tree over report points.
CREATE VIRTUAL TABLE reports_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);
INSERT INTO reports_geo SELECT id, lat, lat, lon, lon FROM reports;
CREATE TRIGGER reports_geo_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reports_geo VALUES (new.id, new.lat, new.lat, new.lon, new.lon);
END;
CREATE TRIGGER reports_geo_move AFTER UPDATE OF lat, lon ON reports BEGIN
    UPDATE reports_geo SET min_lat = new.lat, max_lat = new.lat, min_lon = new.lon,
        max_lon = new.lon WHERE id = new.id;
END;

ALTER TABLE drafts ADD COLUMN nearby_done INTEGER NOT NULL DEFAULT 0;
