-- What an agency's Open311 request brings beyond the report itself, and an index for the
-- servicerequestupdates extension, which reads report events by time.
--
-- request_answers: the answers to the category's extra questions (bot/data/categories.toml
-- [[attribute]]), one row per value (a multivaluelist has several, in the order sent).
-- request_sources: who filed it and the fields GeoReport v2 lets a client send about the person
-- reporting. Those are personal: shown to staff (pages, the case CLI), never in the public API.

CREATE TABLE request_answers (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    code      TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    value     TEXT    NOT NULL,
    PRIMARY KEY (report_id, code, position)
);

CREATE TABLE request_sources (
    report_id  INTEGER PRIMARY KEY REFERENCES reports(id),
    agency     TEXT NOT NULL,   -- the API key's name
    media_url  TEXT,            -- the client's own link to a photo (the bot fetches nothing)
    account_id TEXT,
    device_id  TEXT,
    email      TEXT,
    first_name TEXT,
    last_name  TEXT,
    phone      TEXT
);

CREATE INDEX report_events_at ON report_events(at);
