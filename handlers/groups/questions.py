"""The buttons on the bot's questions to an officer: ✖️ Cancel, ⏭️ No photo (resolve without an
after photo, giving a reason, where the category allows it), and the duplicate's confirmation.

Each press is checked on the server like a status button: the question must be the presser's
own and still open, and the presser still an officer of the report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from telegram import Update

from bot.domain import questions
from bot.domain.permissions import is_admin, may_act_on
from bot.i18n import plain, t, to_plain
from bot.telegram import callbacks
from bot.telegram.callbacks import ButtonKind
from bot.telegram.context import BotContext
from bot.telegram.message_length import shorten
from handlers.groups.acting import actor_of
from handlers.groups.alerts import mention, photo_optional, question_keyboard, question_text
from handlers.groups.answers import Shown, mark_duplicate, show_on_question
from handlers.narrow import chat_of, pressed_message, query_of, user_of
from storage.questions import Question
from storage.reports import Report

POPUP_LIMIT = 200  # Telegram's limit on a button's pop-up


#: A question's button data: each names the report the question is about.
P = TypeVar("P", callbacks.Answer, callbacks.Original)


async def _pressed_question(
    update: Update,
    context: BotContext,
    kind: ButtonKind[P],
    valid: Callable[[P], bool] = lambda _press: True,
) -> tuple[P, Question, Report] | None:
    """The press (of ``kind``, ``valid``), the open question it belongs to and its report, or
    None (the presser was told: a stale button, someone else's question, a closed one)."""
    query = query_of(update)
    services = context.services
    language = services.settings.default_language
    press = kind.parse(query.data)
    if press is None or not valid(press):
        await query.answer(plain(language, "common.stale_button"))
        return None
    message = pressed_message(query)
    found = await services.questions.at(chat_of(update).id, message.message_id) if message else None
    report = await services.store.reports.get(press.report)
    if found is None or report is None or found[0].report_id != press.report:
        await query.answer(plain(language, "common.stale_button"))
        return None
    question, state = found
    user = user_of(update)
    if question.officer_id != user.id:
        await query.answer(plain(language, "alert.not_yours"), show_alert=True)
        return None
    if state is not questions.State.OPEN:
        key = f"alert.question_{state.value}"
        minutes = questions.QUESTION_MINUTES
        await query.answer(plain(language, key, ref=report.id, minutes=minutes), show_alert=True)
        return None
    if not await may_act_on(
        services, services.chat_admins.asking(context.bot), user.id, chat_of(update).id, report
    ):
        await query.answer(plain(language, "alert.not_yours"), show_alert=True)
        return None
    return press, question, report


async def question_pressed(update: Update, context: BotContext) -> None:
    """``question:<report>:cancel`` or ``…:skip``."""
    query = query_of(update)
    language = context.services.settings.default_language
    pressed = await _pressed_question(
        update, context, callbacks.QUESTION, lambda press: press.answer in ("cancel", "skip")
    )
    if pressed is None:
        return
    press, question, report = pressed
    officer = mention(question.officer_id, question.officer_name, language)
    if press.answer == "cancel":
        await context.services.questions.close(question, questions.State.CANCELLED)
        await query.answer(plain(language, "alert.cancelled_popup"))
        cancelled = t(language, "alert.cancelled", officer=officer, ref=report.id)
        await show_on_question(context, question, Shown(cancelled))
        return
    if question.action != questions.RESOLVE or not photo_optional(context, report):
        await query.answer(plain(language, "alert.skip_refused_popup"), show_alert=True)
        return
    await context.services.questions.set_action(question, questions.RESOLVE_REASON)
    await query.answer()
    text = question_text(context, report, questions.RESOLVE_REASON, officer, language)
    markup = question_keyboard(report.id, language, skip=False)
    await show_on_question(context, question, Shown(text, markup))


async def duplicate_confirmed(update: Update, context: BotContext) -> None:
    """``duplicate-of:<report>:<original>``: the officer saw the original and confirms."""
    query = query_of(update)
    services = context.services
    language = services.settings.default_language
    pressed = await _pressed_question(update, context, callbacks.DUPLICATE_OF)
    if pressed is None:
        return
    press, question, report = pressed
    if question.action != questions.DUPLICATE:
        await query.answer(plain(language, "common.stale_button"))
        return
    actor = actor_of(update, is_admin(services, user_of(update).id))
    done, said = await mark_duplicate(context, report, press.original, actor, chat_of(update).id)
    if not done:
        await query.answer(shorten(to_plain(said), POPUP_LIMIT), show_alert=True)
        return
    await services.questions.close(question, questions.State.ANSWERED)
    await query.answer()
    await show_on_question(context, question, Shown(said))
