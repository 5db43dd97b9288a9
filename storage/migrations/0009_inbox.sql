-- Updates as they arrive from Telegram, kept until handled. Long polling confirms a batch to
-- Telegram when it asks for the next one, and a webhook's 200 confirms at once, so an update
-- fetched but not yet handled when the process dies would be gone; from here it is replayed.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,   -- Telegram's, increasing; also de-duplicates redelivery
    payload     TEXT NOT NULL,         -- the update's JSON, as Telegram sent it
    received_at TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,  -- replays begun; a poison update stops at a few
    done_at     TEXT                   -- handled (or given up); NULL: replay at the next start
);
CREATE INDEX inbox_unfinished ON inbox(update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_done_at ON inbox(done_at) WHERE done_at IS NOT NULL;
