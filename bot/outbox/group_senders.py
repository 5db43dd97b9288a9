"""Senders for what goes to kelurahan groups and the admins: an alert's photos, pin and card,
the card's refreshes, SLA reminders and escalations, and notices about groups that are gone.

Everything is in the groups' language (``DEFAULT_LANGUAGE``) and rendered from the report as it
is at send time (bot/outbox/renderers.py).
"""

from __future__ import annotations

from telegram import InputMediaPhoto, Message, ReplyParameters

from bot.domain.alerts import OUTSIDE
from bot.domain.cases import card_refresh
from bot.geo.places import place_label
from bot.i18n import plain, t, to_plain
from bot.outbox.policy import Undeliverable
from bot.outbox.renderers import alert_card, category_label, sla_message
from bot.outbox.sending import Outgoing, report_of
from storage.outbox import OutboxKind, OutboxRow


async def send_alert_photos(out: Outgoing, row: OutboxRow) -> Message:
    """The citizen's photos, before the card, with a plain caption."""
    report = await report_of(out, row)
    photos = [p for p in await out.services.store.reports.photos(report.id) if p.role == "citizen"]
    if not photos:
        raise Undeliverable("report has no photos")
    caption = plain(out.services.settings.default_language, "alert.photos_caption", ref=report.id)
    if len(photos) == 1:
        return await out.bot.send_photo(
            row.chat_id, photos[0].file_id, caption=caption, parse_mode=None
        )
    media = [
        InputMediaPhoto(p.file_id, caption=caption if i == 0 else None, parse_mode=None)
        for i, p in enumerate(photos)
    ]
    sent = await out.bot.send_media_group(row.chat_id, media)
    return sent[0]


async def send_alert_pin(out: Outgoing, row: OutboxRow) -> Message:
    """The report's place as a venue, so officers can open it in their maps."""
    report = await report_of(out, row)
    language = out.services.settings.default_language
    title = plain(
        language,
        "alert.pin_title",
        ref=report.id,
        category=category_label(out.services, report, language),
    )
    address: str = place_label(out.services.areas, report.lat, report.lon, None, language)
    if row.payload.get("reason") == OUTSIDE:
        address = report.address or address
    return await out.bot.send_venue(
        row.chat_id, report.lat, report.lon, title=title, address=to_plain(address)
    )


async def send_alert_card(out: Outgoing, row: OutboxRow) -> Message:
    """The card with the status buttons; its message id is recorded so later changes edit it."""
    services = out.services
    report = await report_of(out, row)
    card = await alert_card(services, report, row.payload.get("reason"))
    message = await out.bot.send_message(row.chat_id, card.text, reply_markup=card.markup)
    await services.store.alerts.record_card(report.id, row.chat_id, message.message_id)
    # A change committed while the card was on its way (rendered, then held by the group's
    # rate limit) found no card to refresh; from here on every change will. So compare once.
    now = await alert_card(services, await report_of(out, row), row.payload.get("reason"))
    if now.text != card.text:
        refresh = card_refresh(row.chat_id, report.id, f"m{message.message_id}")
        await services.store.outbox.add([refresh])
        out.again()
    return message


async def send_alert_edit(out: Outgoing, row: OutboxRow) -> Message | bool:
    """The group's card brought up to date."""
    report = await report_of(out, row)
    card_row = await out.services.store.alerts.card(report.id, row.chat_id)
    if card_row is None:
        raise Undeliverable("no alert card in this chat")
    card = await alert_card(out.services, report, row.payload.get("reason"))
    return await out.bot.edit_message_text(
        card.text, chat_id=row.chat_id, message_id=card_row.message_id, reply_markup=card.markup
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
