-- One-message alerts and officers' questions that expire or are cancelled (issue 14).
--
-- alert_messages: whether the card is a photo with the card as its caption (edited with
-- editMessageCaption) or a text (editMessageText), and why it went where it went (outside the
-- service area, a kelurahan no group covers), so a refresh keeps saying so. Cards posted before
-- this migration are text cards.
ALTER TABLE alert_messages ADD COLUMN captioned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alert_messages ADD COLUMN reason TEXT;

-- pending_replies: a question is kept once closed (answered, cancelled, replaced by a newer one)
-- so a late reply to it is told why it no longer counts, instead of silence; who was asked is
-- named to another officer who presses meanwhile.
ALTER TABLE pending_replies ADD COLUMN officer_name TEXT;
ALTER TABLE pending_replies ADD COLUMN closed_at TEXT;
ALTER TABLE pending_replies ADD COLUMN closed_how TEXT;
CREATE INDEX pending_replies_open_by_officer ON pending_replies(chat_id, officer_id)
    WHERE closed_at IS NULL;
CREATE INDEX pending_replies_open_by_report ON pending_replies(report_id)
    WHERE closed_at IS NULL;
