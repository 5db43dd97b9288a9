-- What a reporter adds to a report after filing it ("➕ add information": a text, a photo, an
-- album's photos), and which bot messages in private chats are about which report, so that a
-- reply to one of them reaches that report. Times are UTC ISO-8601 text.

CREATE TABLE citizen_updates (
    id                   INTEGER PRIMARY KEY,
    report_id            INTEGER NOT NULL REFERENCES reports(id),
    citizen_id           INTEGER NOT NULL,
    event_id             INTEGER NOT NULL REFERENCES report_events(id),  -- its line in the history
    note                 TEXT,
    photo_file_id        TEXT,
    photo_file_unique_id TEXT,
    media_group_id       TEXT,      -- the album it came in: the album's photos are one addition
    chat_id              INTEGER NOT NULL,
    message_id           INTEGER NOT NULL,   -- the citizen's message: a replayed update adds nothing
    created_at           TEXT    NOT NULL
);
CREATE INDEX citizen_updates_report ON citizen_updates(report_id, id);
CREATE UNIQUE INDEX citizen_updates_message ON citizen_updates(chat_id, message_id);
CREATE INDEX citizen_updates_album ON citizen_updates(citizen_id, media_group_id)
    WHERE media_group_id IS NOT NULL;

-- A bot message in a private chat that is about one report (the reference, a follow-up, a
-- /status answer, the add-information prompt): a reply to it is an addition to that report.
CREATE TABLE report_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    report_id  INTEGER NOT NULL REFERENCES reports(id),
    sent_at    TEXT    NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;

-- Follow-ups and surveys already delivered are about their report too: the outbox kept which
-- message each became, so replies to them work from the first start after the upgrade.
INSERT OR IGNORE INTO report_messages (chat_id, message_id, report_id, sent_at)
SELECT chat_id, sent_message_id, report_id, COALESCE(sent_at, created_at) FROM outbox
WHERE kind IN ('followup', 'survey') AND state = 'sent' AND chat_id > 0
  AND sent_message_id IS NOT NULL AND report_id IS NOT NULL
  AND report_id IN (SELECT id FROM reports);
