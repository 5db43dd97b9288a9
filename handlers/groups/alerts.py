"""The status buttons on alert cards. Permission and the current status are checked on every
press. Resolve, Reject and Duplicate first ask the officer who pressed for something, as a reply
(handlers/groups/replies.py): the "after" photo (or, where the category allows, why there is
none), the reason, the original's number. Only then does the report change and its reporter
hear of it, so nobody reads "✅ Selesai" before the proof.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update

from bot import moments
from bot.domain import questions, statuses
from bot.domain.cases import Outcome
from bot.domain.permissions import is_admin, may_act_on
from bot.geo.places import area_label
from bot.i18n import Html, plain, t
from bot.outbox.renderers import STATUS_ACTIONS, category_label
from bot.telegram import callbacks
from bot.telegram.callbacks import Answer
from bot.telegram.context import BotContext
from bot.telegram.message_length import shorten
from handlers.groups.acting import actor_of
from handlers.groups.cards import answer_change
from handlers.narrow import chat_of, pressed_message, query_of, user_of
from storage.questions import Question
from storage.reports import Report

#: The statuses an alert card's buttons can set.
BUTTON_STATUSES = frozenset(STATUS_ACTIONS.values())
#: Statuses that need something from the officer first: the question asked, by status.
ASKED = {
    statuses.REJECTED: questions.REJECT,
    statuses.DUPLICATE: questions.DUPLICATE,
    statuses.RESOLVED: questions.RESOLVE,
}
#: What an open question is doing to its report, as another officer is told.
BUSY = {
    questions.REJECT: "alert.busy_reject",
    questions.DUPLICATE: "alert.busy_duplicate",
    questions.RESOLVE: "alert.busy_resolve",
    questions.RESOLVE_REASON: "alert.busy_resolve",
}
TIME = "%H:%M"
NAME_IN_POPUP = 40  # a pop-up holds 200 characters; a Telegram name may be 128


def mention(user_id: int, name: str | None, language: str) -> Html:
    """The officer by name, linked so Telegram notifies them of the question."""
    return t(language, "alert.officer_mention", id=user_id, name=name or "?")


def photo_optional(context: BotContext, report: Report) -> bool:
    """Whether the Selesai question may offer "no photo": the cases service's rule."""
    return not context.services.cases.after_photo_required(report)


def question_keyboard(report_id: int, language: str, *, skip: bool) -> InlineKeyboardMarkup:
    """Cancel, and for an after photo the category may go without, "no photo"."""
    row = []
    if skip:
        row.append(
            InlineKeyboardButton(
                plain(language, "alert.skip_button"),
                callback_data=callbacks.QUESTION.data(Answer(report_id, "skip")),
            )
        )
    row.append(
        InlineKeyboardButton(
            plain(language, "alert.cancel_button"),
            callback_data=callbacks.QUESTION.data(Answer(report_id, "cancel")),
        )
    )
    return InlineKeyboardMarkup([row])


def question_text(
    context: BotContext, report: Report, action: str, officer: Html, language: str
) -> Html:
    """A question as asked (and as shown again when the officer chooses "no photo")."""
    if action == questions.RESOLVE:
        optional = photo_optional(context, report)
        key = "alert.ask_after_photo_optional" if optional else "alert.ask_after_photo_required"
    else:
        key = {
            questions.REJECT: "alert.ask_reason",
            questions.DUPLICATE: "alert.ask_duplicate",
            questions.RESOLVE_REASON: "alert.ask_skip_reason",
        }[action]
    asked = t(
        language,
        key,
        officer=officer,
        ref=report.id,
        category=category_label(context.services, report, language),
    )
    lifetime = t(language, "alert.question_lifetime", minutes=questions.QUESTION_MINUTES)
    return Html(f"{asked}\n{lifetime}")


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
    if new_status in ASKED:
        await _ask(update, context, report, ASKED[new_status], new_status, language)
        return
    actor = actor_of(update, is_admin(services, user.id))
    result = await services.cases.change_status(report.id, new_status, actor)
    await answer_change(update, context, result.outcome, result.report or report, language)


async def _ask(
    update: Update,
    context: BotContext,
    report: Report,
    action: str,
    new_status: str,
    language: str,
) -> None:
    """Ask the presser, unless the change is no longer possible or another officer is already
    closing the report (they are named, so the two can talk)."""
    query = query_of(update)
    if new_status not in statuses.moves(report.status, "officer"):  # an admin's buttons too
        await answer_change(update, context, Outcome.NOT_ALLOWED, report, language)
        return
    user = user_of(update)
    services = context.services
    other = await services.questions.closing_by_another(report.id, user.id)
    if other is not None:
        await query.answer(_busy(context, other, language), show_alert=True)
        return
    await query.answer()
    chat_id = chat_of(update).id
    card = pressed_message(query)
    officer = mention(user.id, user.full_name, language)
    skip = action == questions.RESOLVE and photo_optional(context, report)
    sent = await context.bot.send_message(
        chat_id,
        question_text(context, report, action, officer, language),
        reply_markup=question_keyboard(report.id, language, skip=skip),
        reply_parameters=ReplyParameters(card.message_id, allow_sending_without_reply=True)
        if card is not None
        else None,
    )
    await services.questions.ask(
        chat_id, sent.message_id, report.id, action, user.id, user.full_name
    )


def _busy(context: BotContext, other: Question, language: str) -> str:
    since = moments.local_time(context.services.settings.tz, other.asked_at, TIME)
    return plain(
        language,
        "alert.busy_popup",
        name=shorten(other.officer_name or "?", NAME_IN_POPUP),
        what=plain(language, BUSY[other.action]),
        ref=other.report_id,
        since=since,
    )
