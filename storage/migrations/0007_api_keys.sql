-- API keys of agency systems (Open311 GeoReport v2 and the update endpoint). Only the SHA-256 of
-- a key is kept: the key itself is printed once, when it is created.

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,          -- who holds it, e.g. "Dinas SDA"; names their changes
    key_hash   TEXT NOT NULL UNIQUE,   -- sha256 hex of the key
    areas      TEXT,                   -- JSON list of kelurahan codes it may act in; NULL: all
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
-- One active key per name, so "apikey revoke NAME" is unambiguous; a revoked name can be reused.
CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;
