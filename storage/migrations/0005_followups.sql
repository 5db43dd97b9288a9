-- The loop after routing: SLA reminders and escalation, the "is it fixed?" survey and ratings,
-- and questions the bot asked a citizen in their private chat.

ALTER TABLE reports ADD COLUMN sla_started_at TEXT;   -- when the current wait for an officer began
ALTER TABLE reports ADD COLUMN reminded_at TEXT;      -- SLA reminder sent for that wait
ALTER TABLE reports ADD COLUMN escalated_at TEXT;     -- escalation sent for that wait
ALTER TABLE reports ADD COLUMN survey_sent_at TEXT;   -- "is it fixed?" asked
UPDATE reports SET sla_started_at = created_at;
CREATE TRIGGER reports_sla_start AFTER INSERT ON reports WHEN new.sla_started_at IS NULL BEGIN
    UPDATE reports SET sla_started_at = new.created_at WHERE id = new.id;
END;
CREATE INDEX reports_status_sla ON reports(status, sla_started_at);
CREATE INDEX reports_status_resolved ON reports(status, resolved_at);

CREATE TABLE ratings (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id),
    stars     INTEGER CHECK (stars BETWEEN 1 AND 5),
    fixed     INTEGER NOT NULL,
    comment   TEXT,
    at        TEXT NOT NULL
);

CREATE TABLE citizen_prompts (
    user_id    INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,   -- reopen_note
    report_id  INTEGER NOT NULL REFERENCES reports(id),
    created_at TEXT    NOT NULL
);
