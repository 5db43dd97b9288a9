"""The groups' notice of a reporter's addition: a reply to the group's alert card, the photos
sent as photos (an album as one album), in the groups' language.

An album's notice is held a moment (:data:`bot.domain.additions.ALBUM_SETTLE_SECONDS`) so its
photos go out together; one that lands later still gets a notice of its own, as the card does
in :func:`bot.outbox.group_senders.send_alert_card`. An officer replying to the notice is
replying to the card: a note for the reporter (handlers/groups/replies.py).
"""

from __future__ import annotations

from telegram import InputMediaPhoto, Message, ReplyParameters

from bot.domain.additions import later_notice
from bot.outbox.addition_views import notice_text
from bot.outbox.policy import Undeliverable
from bot.outbox.sending import Outgoing, report_of, sendable
from storage.outbox import OutboxRow

ALBUM_MAX = 10  # Telegram's limit on an album's items


async def send_citizen_update(out: Outgoing, row: OutboxRow) -> Message:
    services = out.services
    report = await report_of(out, row)
    first_id = int(row.payload["update_id"])
    updates = await services.store.citizen_updates.batch(
        first_id, after_id=int(row.payload.get("after_id", 0))
    )
    if not updates:
        raise Undeliverable("addition not found")
    updates = updates[:ALBUM_MAX]
    language = services.settings.default_language
    text = notice_text(services, report, updates, language)
    card = await services.store.alerts.card(report.id, row.chat_id)
    reply = ReplyParameters(card.message_id, allow_sending_without_reply=True) if card else None
    photos = await sendable(out, [u.photo_file_id for u in updates if u.photo_file_id])
    sent: tuple[Message, ...]
    if not photos:
        sent = (await out.bot.send_message(row.chat_id, text, reply_parameters=reply),)
    elif len(photos) == 1:
        photo = await out.bot.send_photo(
            row.chat_id, photos[0], caption=text, reply_parameters=reply
        )
        sent = (photo,)
    else:
        media = [
            InputMediaPhoto(photo, caption=text if i == 0 else None)
            for i, photo in enumerate(photos)
        ]
        sent = await out.bot.send_media_group(row.chat_id, media, reply_parameters=reply)
    for message in sent:  # an officer's reply to the notice is one to the card: a note
        await services.additions.remember(row.chat_id, message.message_id, report.id)
    last = updates[-1].id
    if updates[0].media_group_id is not None:
        later = await services.store.citizen_updates.batch(first_id, after_id=last)
        if later:
            await services.store.outbox.add([later_notice(row.chat_id, report.id, first_id, last)])
            out.again()
    return sent[0]
