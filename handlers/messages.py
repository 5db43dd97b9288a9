"""What handlers read from a message and how they retire an old one's buttons.

Shared by the report conversation, the officers' replies in groups and the survey, so a photo
sent as a file counts the same everywhere and a pressed message loses its buttons one way.
"""

from __future__ import annotations

import logging

from telegram import Message
from telegram.error import BadRequest

from storage.photos import PhotoRef

log = logging.getLogger(__name__)


def photo_of(message: Message) -> PhotoRef | None:
    """The largest size of a photo, or an image sent as a file."""
    if message.photo:
        largest = message.photo[-1]
        return PhotoRef(largest.file_id, largest.file_unique_id)
    document = message.document
    if document and (document.mime_type or "").startswith("image/"):
        return PhotoRef(document.file_id, document.file_unique_id)
    return None


def location_of(message: Message) -> tuple[float, float, str | None, str | None] | None:
    """A shared point or venue as (lat, lon, name, address)."""
    if message.venue:
        venue = message.venue
        return venue.location.latitude, venue.location.longitude, venue.title, venue.address
    if message.location:
        return message.location.latitude, message.location.longitude, None, None
    return None


async def drop_buttons(message: object, note: str | None = None) -> None:
    """Remove an old message's buttons (appending ``note``) so it cannot be pressed again."""
    if not isinstance(message, Message):
        return
    try:
        if note and message.text_html:
            await message.edit_text(f"{message.text_html}\n\n{note}", reply_markup=None)
        elif message.reply_markup is not None:
            await message.edit_reply_markup(reply_markup=None)
    except BadRequest as error:  # too old to edit, or already without buttons
        log.debug("could not drop buttons", extra={"reason": str(error)})
