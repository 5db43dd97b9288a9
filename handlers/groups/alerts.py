"""The status buttons on alert cards. Permission and the current status are checked on every
press; Reject and Duplicate first ask the officer for a word, as a reply
(handlers/groups/replies.py).
"""

from __future__ import annotations

import contextlib

from telegram import ForceReply, Message, Update
from telegram.error import BadRequest

from bot.domain import questions, statuses
from bot.domain.cases import Outcome
from bot.domain.permissions import is_admin, may_act_on
from bot.geo.places import area_label
from bot.i18n import t
from bot.outbox.renderers import STATUS_ACTIONS, alert_card
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.groups.acting import actor_of
from handlers.narrow import chat_of, query_of, user_of
from storage.alerts import PendingReply
from storage.reports import Report

#: The statuses an alert card's buttons can set.
BUTTON_STATUSES = frozenset(STATUS_ACTIONS.values())
#: Statuses that need a word from the officer first, asked as a reply: (pending action, question).
_ASK_KEYS = {
    "rejected": ("reject", "alert.ask_reason"),
    "duplicate": ("duplicate", "alert.ask_duplicate"),
}


async def status_pressed(update: Update, context: BotContext) -> None:
    """``status:<report>:<status>``. Permission and the current status are checked on every
    press."""
    query = query_of(update)
    services = context.services
    language = services.settings.default_language
    press = callbacks.STATUS.parse(query.data)
    report = None
    if press is not None and press.status in BUTTON_STATUSES:
        report = await services.store.reports.get(press.report)
    if press is None or report is None:
        await query.answer(t(language, "common.stale_button"))
        return
    user = query.from_user
    if not await may_act_on(
        services, services.chat_admins.asking(context.bot), user.id, chat_of(update).id, report
    ):
        area = services.areas.by_code.get(report.area_code or "")
        await query.answer(
            t(language, "alert.not_officer", area=area_label(area, language)), show_alert=True
        )
        return
    new_status = press.status
    if new_status in _ASK_KEYS:
        await _ask(update, context, report, new_status, language)
        return
    actor = actor_of(update, is_admin(services, user.id))
    result = await services.cases.change_status(report.id, new_status, actor)
    await _answer_change(update, context, result.outcome, result.report or report, language)
    if result.outcome is Outcome.CHANGED and new_status == "resolved":
        await _ask_reply(update, context, report, "after_photo", "alert.ask_after_photo", language)


async def _ask(
    update: Update, context: BotContext, report: Report, new_status: str, language: str
) -> None:
    """Reject and Duplicate need a word from the officer first: ask for it as a reply."""
    query = query_of(update)
    if new_status not in statuses.moves(report.status, "officer"):  # an admin's buttons too
        await _answer_change(update, context, Outcome.NOT_ALLOWED, report, language)
        return
    await query.answer()
    pending_action, key = _ASK_KEYS[new_status]
    await _ask_reply(update, context, report, pending_action, key, language)


async def _ask_reply(
    update: Update,
    context: BotContext,
    report: Report,
    action: str,
    key: str,
    language: str,
) -> None:
    card = query_of(update).message  # the pressed card: never None here (common.ForeignPress)
    question = await context.bot.send_message(
        chat_of(update).id,
        t(language, key, ref=report.id),
        reply_markup=ForceReply(selective=True),
        reply_to_message_id=card.message_id if card is not None else None,
    )
    await questions.ask(
        context.services.store,
        PendingReply(
            chat_of(update).id,
            question.message_id,
            report.id,
            action,
            user_of(update).id,
        ),
    )


async def _answer_change(
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
    card = await alert_card(context.services, report)
    message = query.message
    if isinstance(message, Message):
        with contextlib.suppress(BadRequest):  # "not modified": it was already current
            await message.edit_text(card.text, reply_markup=card.markup)
