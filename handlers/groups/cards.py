"""The pressed alert card, brought up to date in place when a press finds it stale; the pop-up
that tells the presser what happened."""

from __future__ import annotations

import contextlib

from telegram import Message, Update
from telegram.error import BadRequest

from bot.domain.cases import Outcome
from bot.i18n import t
from bot.outbox.renderers import alert_card
from bot.telegram.context import BotContext
from handlers.narrow import chat_of, pressed_message, query_of
from storage.reports import Report


async def refresh_pressed_card(context: BotContext, message: Message, report: Report) -> None:
    """Only the report's live card in this chat is rewritten: a retired card (a reopened
    report's old one) or an SLA reminder that carries the same buttons stays as it is."""
    live = await context.services.store.alerts.card(report.id, message.chat_id)
    if live is None or live.message_id != message.message_id:
        return
    card = await alert_card(context.services, report, live.reason, captioned=live.captioned)
    with contextlib.suppress(BadRequest):  # "not modified": it was already current
        if live.captioned:
            await message.edit_caption(card.text, reply_markup=card.markup)
        else:
            await message.edit_text(card.text, reply_markup=card.markup)


async def answer_change(
    update: Update, context: BotContext, outcome: Outcome, report: Report, language: str
) -> None:
    """A popup for the presser; on a stale card, the card itself is brought up to date."""
    query = query_of(update)
    status = t(language, f"status.{report.status}")
    if outcome is Outcome.CHANGED:
        await query.answer(t(language, "alert.done_popup", ref=report.id, status=status))
        return
    key = "alert.unchanged_popup" if outcome is Outcome.UNCHANGED else "alert.not_allowed_popup"
    await query.answer(t(language, key, ref=report.id, status=status), show_alert=True)
    message = pressed_message(query)
    if message is not None and message.chat_id == chat_of(update).id:
        await refresh_pressed_card(context, message, report)
