"""The report's reply-keyboard labels, in every language: the citizen may switch mid-report.

A tap on a reply keyboard's button arrives as the button's text, so a step recognises its
buttons by these labels (and anything else is typed text).
"""

from __future__ import annotations

from bot.domain.privacy import MODES
from handlers.keyboards import reply_labels

BACK = reply_labels("report.back")
CANCEL = reply_labels("report.cancel")
DONE = reply_labels("report.done")
SKIP = reply_labels("report.skip")
REMOVE_PHOTOS = reply_labels("report.remove_photos")
ADDRESS_YES = reply_labels("report.address_yes")
DIFFERENT = reply_labels("nearby.different")
CONFIRM = reply_labels("report.confirm")
MORE_PHOTOS = reply_labels("report.more_photos")
EDIT = reply_labels("report.edit")
EDIT_BACK = reply_labels("report.edit_back")
CUT = reply_labels("report.cut_yes")
REWRITE = reply_labels("report.cut_no")
#: The summary's privacy buttons, by the mode each sets (bot/domain/privacy.py).
PRIVACY_CHOICES = {
    label: mode for mode in MODES for label in reply_labels(f"privacy.make_{mode.value}")
}
#: A field's label on the summary's Edit keyboard, by the field (see keyboards.EDITABLE_FIELDS).
EDIT_FIELDS = {
    label: field
    for field in ("category", "location", "photos", "description")
    for label in reply_labels(f"report.edit_{field}")
}
KEYBOARD_LABELS = (
    BACK
    | CANCEL
    | DONE
    | SKIP
    | REMOVE_PHOTOS
    | ADDRESS_YES
    | DIFFERENT
    | CONFIRM
    | MORE_PHOTOS
    | EDIT
    | EDIT_BACK
    | CUT
    | REWRITE
    | frozenset(EDIT_FIELDS)
    | frozenset(PRIVACY_CHOICES)
)
#: The photo step's buttons arriving at the description step: a double tap on a slow line, or a
#: tap replayed after a crash (bot/telegram/inbox.py) whose first run already moved the report on.
PHOTO_STEP_LABELS = DONE | SKIP | REMOVE_PHOTOS
