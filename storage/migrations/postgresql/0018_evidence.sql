-- PostgreSQL twin of ../0018_evidence.sql (ids BIGINT; times UTC ISO-8601 TEXT).
-- Evidence kept (issue 18): every photo of a report is downloaded once, soon after it arrives, and
-- kept by the bot as a file beside the database named by its SHA-256 (bot/domain/evidence.py), so
-- the case survives a new bot token and Telegram's own retention. One row per report photo
-- (report_photos: the citizen's, additions', officers' "after" photos, CLI and web uploads),
-- written in the same transaction as the photo; the evidence job fills in the checksum.
CREATE TABLE evidence (
    photo_id        BIGINT  PRIMARY KEY REFERENCES report_photos(id),
    report_id       BIGINT  NOT NULL REFERENCES reports(id),
    role            TEXT    NOT NULL,                   -- report_photos.role at the time
    file_unique_id  TEXT    NOT NULL,                   -- the same picture for every bot token
    received_at     TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending', -- pending | stored | refused | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    sha256          TEXT,                               -- of the original bytes, as received
    size            BIGINT,
    mime            TEXT,
    stored_at       TEXT
);
CREATE INDEX evidence_due ON evidence(state, next_attempt_at);
CREATE INDEX evidence_report ON evidence(report_id);
CREATE INDEX evidence_unique_id ON evidence(file_unique_id, state);
CREATE INDEX report_photos_file ON report_photos(file_id);

-- Photos received before this migration are fetched too, while their file ids still work.
INSERT INTO evidence (photo_id, report_id, role, file_unique_id, received_at, next_attempt_at)
SELECT p.id, p.report_id, p.role, p.file_unique_id, r.created_at, r.created_at
FROM report_photos p JOIN reports r ON r.id = p.report_id;

-- A reason a reporter typed for withdrawing their report ("Alasan lain", handlers/withdraw.py),
-- kept between their message and their confirmation: one per citizen, replaced by the next.
CREATE TABLE withdrawal_reasons (
    user_id    BIGINT  PRIMARY KEY,
    report_id  BIGINT  NOT NULL REFERENCES reports(id),
    reason     TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
