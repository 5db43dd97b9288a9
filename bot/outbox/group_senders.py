"""Senders for what goes to kelurahan groups and the admins: an alert's card and its other
photos, the card's refreshes, SLA reminders and escalations, and notices about groups that are
gone.

Everything is in the groups' language (``DEFAULT_LANGUAGE``) and rendered from the report as it
is at send time (bot/outbox/renderers.py).
"""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardMarkup, InputMediaPhoto, Message, ReplyParameters
from telegram.error import BadRequest

from bot.domain import statuses
from bot.domain.cases import card_refresh
from bot.i18n import plain, t
from bot.outbox.policy import Undeliverable
from bot.outbox.renderers import alert_card, citizen_photos, sla_message
from bot.outbox.sending import Outgoing, report_of, sendable
from storage.alerts import AlertCard
from storage.outbox import OutboxKind, OutboxRow
from storage.reports import Report

log = logging.getLogger(__name__)

#: Telegram's words when it will not send a photo by its file id (not a chat problem).
_PHOTO_REFUSED = ("wrong file identifier", "file", "photo", "wrong type")


async def send_alert_card(out: Outgoing, row: OutboxRow) -> Message:
    """The card with the status buttons, on the report's first photo when it has one (the card
    is its caption); its message id is recorded so later changes edit it. A card this group
    had already (a reopened report's) is first retired: one live card per report and group."""
    services = out.services
    report = await report_of(out, row)
    reason = row.payload.get("reason")
    await _retire_old_card(out, report, row.chat_id)
    photos = await citizen_photos(services, report)
    message: Message | None = None
    if photos:
        card = await alert_card(services, report, reason, captioned=True)
        first = (await sendable(out, photos[:1]))[0]
        message = await _send_photo_card(out, row.chat_id, first, card.text, card.markup)
    if message is None:
        card = await alert_card(services, report, reason)
        message = await out.bot.send_message(row.chat_id, card.text, reply_markup=card.markup)
    captioned = bool(message.photo)
    await services.store.alerts.record_card(
        report.id, row.chat_id, message.message_id, captioned=captioned, reason=reason
    )
    # A change committed while the card was on its way (rendered, then held by the group's
    # rate limit) found no card to refresh; from here on every change will. So compare once.
    now = await alert_card(services, await report_of(out, row), reason, captioned=captioned)
    if now.text != card.text:
        refresh = card_refresh(row.chat_id, report.id, f"m{message.message_id}")
        await services.store.outbox.add([refresh])
        out.again()
    return message


async def _send_photo_card(
    out: Outgoing,
    chat_id: int,
    photo: str | bytes,
    caption: str,
    markup: InlineKeyboardMarkup | None,
) -> Message | None:
    """The photo card; None when Telegram refuses the photo itself (a file id it no longer
    knows), so the officers get a text card rather than no card at all."""
    try:
        return await out.bot.send_photo(chat_id, photo, caption=caption, reply_markup=markup)
    except BadRequest as error:
        if not any(word in error.message.lower() for word in _PHOTO_REFUSED):
            raise
        log.warning("alert photo refused, sending a text card", extra={"reason": error.message})
        return None


async def _retire_old_card(out: Outgoing, report: Report, chat_id: int) -> None:
    """The group's previous card of this report says a new one follows, and loses its buttons."""
    old = await out.services.store.alerts.card(report.id, chat_id)
    if old is None:
        return
    language = out.services.settings.default_language
    key = "alert.retired_reopened" if report.status == statuses.REOPENED else "alert.retired"
    card = await alert_card(
        out.services, report, old.reason, captioned=old.captioned, notice=t(language, key)
    )
    with contextlib.suppress(BadRequest):  # gone, or already retired by an earlier try
        await _edit(out, old, card.text, None)


async def send_alert_more_photos(out: Outgoing, row: OutboxRow) -> Message:
    """The report's photos after the first, as a reply to the card that shows the first; a
    reply to them is a reply to the card (a note for the reporter)."""
    services = out.services
    report = await report_of(out, row)
    rest = await sendable(out, (await citizen_photos(services, report))[1:])
    if not rest:
        raise Undeliverable("report has no more photos")
    card = await services.store.alerts.card(report.id, row.chat_id)
    reply = ReplyParameters(card.message_id, allow_sending_without_reply=True) if card else None
    caption = plain(services.settings.default_language, "alert.more_photos", ref=report.id)
    sent: tuple[Message, ...]
    if len(rest) == 1:
        photo = await out.bot.send_photo(
            row.chat_id, rest[0], caption=caption, parse_mode=None, reply_parameters=reply
        )
        sent = (photo,)
    else:
        media = [
            InputMediaPhoto(p, caption=caption if i == 0 else None, parse_mode=None)
            for i, p in enumerate(rest)
        ]
        sent = await out.bot.send_media_group(row.chat_id, media, reply_parameters=reply)
    for message in sent:
        await services.additions.remember(row.chat_id, message.message_id, report.id)
    return sent[0]


async def send_alert_edit(out: Outgoing, row: OutboxRow) -> Message | bool:
    """The group's card brought up to date: its caption when it is a photo, else its text."""
    report = await report_of(out, row)
    card_row = await out.services.store.alerts.card(report.id, row.chat_id)
    if card_row is None:
        raise Undeliverable("no alert card in this chat")
    card = await alert_card(out.services, report, card_row.reason, captioned=card_row.captioned)
    return await _edit(out, card_row, card.text, card.markup)


async def _edit(
    out: Outgoing, card: AlertCard, text: str, markup: InlineKeyboardMarkup | None
) -> Message | bool:
    if card.captioned:
        return await out.bot.edit_message_caption(
            chat_id=card.chat_id, message_id=card.message_id, caption=text, reply_markup=markup
        )
    return await out.bot.edit_message_text(
        text, chat_id=card.chat_id, message_id=card.message_id, reply_markup=markup
    )


async def _send_sla(out: Outgoing, row: OutboxRow, kind: OutboxKind) -> Message:
    """A reminder or an escalation, as a reply to the group's card when there is one."""
    report = await report_of(out, row)
    rendered = sla_message(out.services, report, kind)
    card = await out.services.store.alerts.card(report.id, row.chat_id)
    return await out.bot.send_message(
        row.chat_id,
        rendered.text,
        reply_markup=rendered.markup,
        reply_parameters=ReplyParameters(card.message_id, allow_sending_without_reply=True)
        if card
        else None,
    )


async def send_sla_reminder(out: Outgoing, row: OutboxRow) -> Message:
    return await _send_sla(out, row, OutboxKind.SLA_REMINDER)


async def send_sla_escalation(out: Outgoing, row: OutboxRow) -> Message:
    return await _send_sla(out, row, OutboxKind.SLA_ESCALATION)


async def send_withdrawal_notice(out: Outgoing, row: OutboxRow) -> Message:
    """The reporter withdrew the report: said under the group's card (which has lost its
    buttons by its own refresh), with the reason, so no officer sets out for it."""
    report = await report_of(out, row)
    event = await out.services.store.reports.event(int(row.payload["event_id"]))
    card = await out.services.store.alerts.card(report.id, row.chat_id)
    text = t(
        out.services.settings.default_language,
        "withdraw.group_notice",
        ref=report.id,
        reason=(event.note if event else None) or "-",
    )
    reply = ReplyParameters(card.message_id, allow_sending_without_reply=True) if card else None
    return await out.bot.send_message(row.chat_id, text, reply_parameters=reply)


async def send_handoff_retire(out: Outgoing, row: OutboxRow) -> Message | bool:
    """A group that no longer has the report (bot/domain/handoffs.py): its card says who has it
    now and loses its buttons, and is forgotten, so no later change puts them back."""
    report = await report_of(out, row)
    store = out.services.store
    card_row = await store.alerts.card(report.id, row.chat_id)
    if card_row is None or card_row.message_id != row.payload["message_id"]:
        raise Undeliverable("the card was replaced or is gone")
    notice = t(
        out.services.settings.default_language, "handoff.retired", owner=row.payload["owner"]
    )
    card = await alert_card(
        out.services, report, card_row.reason, captioned=card_row.captioned, notice=notice
    )
    edited: Message | bool = False
    with contextlib.suppress(BadRequest):  # deleted by the group: forgotten all the same
        edited = await _edit(out, card_row, card.text, None)
    await store.alerts.forget(report.id, row.chat_id, card_row.message_id)
    return edited


async def send_admin_notice(out: Outgoing, row: OutboxRow) -> Message:
    """Tells the admins that a group is gone (bot/outbox/policy.py unlinked it)."""
    payload = row.payload
    text = t(
        out.services.settings.default_language,
        "admin.group_gone",
        title=payload.get("title") or "?",
        chat=payload["chat_id"],
        reason=payload.get("reason", ""),
    )
    return await out.bot.send_message(row.chat_id, text)
