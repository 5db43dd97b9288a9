"""The report's reply-keyboard labels, in every language: the citizen may switch mid-report."""

from __future__ import annotations

from handlers.keyboards import reply_labels

BACK = reply_labels("report.back")
CANCEL = reply_labels("report.cancel")
DONE = reply_labels("report.done")
SKIP = reply_labels("report.skip")
REMOVE_PHOTOS = reply_labels("report.remove_photos")
KEYBOARD_LABELS = BACK | CANCEL | DONE | SKIP | REMOVE_PHOTOS
#: The photo step's buttons arriving at the description step: a double tap on a slow line, or a
#: tap replayed after a crash (bot/telegram/inbox.py) whose first run already moved the report on.
PHOTO_STEP_LABELS = DONE | SKIP | REMOVE_PHOTOS
