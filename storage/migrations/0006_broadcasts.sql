-- Announcements: broadcasts fed into the outbox chunk by chunk, a cursor marking how far.

ALTER TABLE citizens ADD COLUMN announcements_off_at TEXT;   -- /stop; cleared by /start
CREATE INDEX citizens_chat ON citizens(chat_id);

CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    author_id           INTEGER NOT NULL,
    text                TEXT    NOT NULL,      -- Telegram HTML, checked when previewed
    photo_file_id       TEXT,
    audience            TEXT    NOT NULL,      -- JSON, see bot/broadcasts.py
    state               TEXT    NOT NULL,      -- scheduled | running | done | cancelled
    scheduled_at        TEXT    NOT NULL,
    created_at          TEXT    NOT NULL,
    started_at          TEXT,
    finished_at         TEXT,
    cursor              INTEGER,               -- last recipient chat id put in the outbox
    exhausted           INTEGER NOT NULL DEFAULT 0,
    total               INTEGER NOT NULL DEFAULT 0,
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    progress_at         TEXT
);
CREATE INDEX broadcasts_state ON broadcasts(state, scheduled_at);
CREATE INDEX outbox_broadcast ON outbox(broadcast_id, state);

-- An admin composing a broadcast: survives restarts like a citizen's draft.
CREATE TABLE broadcast_drafts (
    user_id       INTEGER PRIMARY KEY,
    step          TEXT NOT NULL,
    text          TEXT,
    photo_file_id TEXT,
    audience      TEXT,
    updated_at    TEXT NOT NULL
);
