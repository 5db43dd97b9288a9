-- An admin's one open question in their private chat (issue 18): "type the area Dinas SDA
-- handles" is answered by their next message, and a restart between the two must not turn that
-- answer into the start of a report. citizen_prompts cannot hold it: its subject is a report.
CREATE TABLE admin_prompts (
    user_id    INTEGER PRIMARY KEY,       -- the admin (their private chat's id)
    kind       TEXT    NOT NULL,          -- agency_area
    subject_id INTEGER NOT NULL,          -- agencies.id for agency_area (gone: the answer says so)
    created_at TEXT    NOT NULL
);
