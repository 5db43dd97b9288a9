-- Staff web pages: one-time sign-in links sent by /weblogin, and the sessions they open. Only the
-- SHA-256 of a token is kept, so a copy of the database lets nobody sign in as an officer.

CREATE TABLE web_logins (
    token_hash TEXT PRIMARY KEY,       -- sha256 hex of the link's token
    user_id    INTEGER NOT NULL,
    user_name  TEXT,                   -- names their status changes
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT                    -- set once: a second opening is refused
);

CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,       -- sha256 hex of the cookie's value
    user_id    INTEGER NOT NULL,
    user_name  TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);
