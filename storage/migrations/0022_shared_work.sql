-- Work shared by several bot processes on one database (storage/workers.py). On SQLite there is
-- one process, so these stay all but empty there; the schema is the same on both engines.
--
-- Every running process, seen by its heartbeat: a process not seen for a while is gone, and the
-- updates and outbox rows it had claimed are taken over by the others.
CREATE TABLE workers (
    worker_id  TEXT    PRIMARY KEY,   -- host:pid:start, unique per process start
    pid        INTEGER NOT NULL,
    host       TEXT    NOT NULL,
    started_at TEXT    NOT NULL,
    seen_at    TEXT    NOT NULL
);

-- Jobs done by one process at a time (the sweeps, the broadcast feed): the holder renews its
-- lease each tick; when it stops renewing, the next process to ask takes it.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- An update is claimed by the process handling it; its chat (or user) keeps a chat's updates in
-- order across processes: only a chat's oldest unfinished update can be claimed.
ALTER TABLE inbox ADD COLUMN chat_key INTEGER;
ALTER TABLE inbox ADD COLUMN claimed_by TEXT;
CREATE INDEX inbox_chat_unfinished ON inbox(chat_key, update_id) WHERE done_at IS NULL;

-- The process sending an outbox row ('sending'): another takes it over only once that process
-- is gone, where before every start gave back all rows in flight, a live process's too.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
CREATE INDEX outbox_in_flight ON outbox(chat_id) WHERE state = 'sending';

-- The pump's page of due rows in sending order (priority, then age), read straight off this
-- index: outbox_due served the WHERE but left the ORDER BY to a sort of every pending row, so
-- each page of a 100,000-citizen broadcast sorted all that was left of it (bench/broadcast.py:
-- the CPU per message grew with the broadcast's size).
CREATE INDEX outbox_pending_order ON outbox(priority, id) WHERE state = 'pending';
