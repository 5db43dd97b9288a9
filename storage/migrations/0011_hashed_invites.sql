-- Officer invites are kept as the SHA-256 of their token, like sign-in links and API keys, so a
-- copy of the database (a backup, the CLI's reads) lets nobody register as an officer. Each gets
-- a short id, which is not secret: /invites and `officer revoke-invite` name an invite by it.
--
-- SQLite has no SHA-256, so invites made before this migration cannot be rehashed here: the
-- unused ones are expired (an admin sends a fresh /invite), the used ones kept as history. Their
-- tokens are dropped with the old table, so no live token is left in the file.

CREATE TABLE officer_invites_hashed (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT UNIQUE,            -- sha256 hex of the link's token; NULL for pre-0011 rows
    scope      TEXT    NOT NULL,
    scope_key  TEXT    NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_by    INTEGER,
    used_at    TEXT,
    revoked_at TEXT                    -- an admin withdrew it before it was used
);

INSERT INTO officer_invites_hashed
    (scope, scope_key, created_by, created_at, expires_at, used_by, used_at)
SELECT scope, scope_key, created_by, created_at,
       CASE WHEN used_by IS NULL THEN created_at ELSE expires_at END,
       used_by, used_at
FROM officer_invites ORDER BY created_at;

DROP TABLE officer_invites;
ALTER TABLE officer_invites_hashed RENAME TO officer_invites;

-- Who an officer is, as Telegram named them when they used their invite: /officers lists them.
ALTER TABLE officers ADD COLUMN name TEXT;
