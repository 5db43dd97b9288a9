""" "↪️ Serahkan" on an alert card: an officer hands the report to another agency, or back to its
kelurahan, with a reason ("bukan wewenang kami"). The press shows a picker under the card; the
choice turns the picker into a question; the reply to it is the reason, and only then is the
report handed over (bot/owners.py), so the reporter never reads a hand-off without its why.
Permission is checked on every press and on the reply, as for the status buttons.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import BadRequest

from bot.domain import questions
from bot.domain.cases import Actor, Outcome
from bot.domain.handoffs import Target
from bot.domain.permissions import may_act_on
from bot.geo.places import area_label
from bot.i18n import Html, plain, t
from bot.owners import area_owner, hand_off_as, target_name
from bot.telegram import callbacks
from bot.telegram.callbacks import Answer
from bot.telegram.context import BotContext
from handlers.groups.alerts import mention, question_keyboard
from handlers.narrow import chat_of, pressed_message, query_of, user_of
from storage.questions import Question
from storage.reports import Report

HOME = "home"
CANCEL = "cancel"


def _button(report_id: int, answer: str, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=callbacks.HANDOFF.data(Answer(report_id, answer))
    )


async def handoff_pressed(update: Update, context: BotContext) -> None:
    """``handoff:<report>:ask|a<id>|home|cancel``."""
    query = query_of(update)
    services = context.services
    language = services.settings.default_language
    press = callbacks.HANDOFF.parse(query.data)
    report = await services.store.reports.get(press.report) if press else None
    if press is None or report is None:
        await query.answer(t(language, "common.stale_button"))
        return
    user = user_of(update)
    if not await may_act_on(
        services, services.chat_admins.asking(context.bot), user.id, chat_of(update).id, report
    ):
        area = services.areas.by_code.get(report.area_code or "")
        await query.answer(
            t(language, "alert.not_officer", area=area_label(area, language)), show_alert=True
        )
        return
    if press.answer == "ask":
        await _pick(update, context, report, language)
    elif press.answer == CANCEL:
        await query.answer()
        await _edit_pressed(update, t(language, "handoff.cancelled", ref=report.id))
    else:
        await _chosen(update, context, report, press.answer, language)


async def _pick(update: Update, context: BotContext, report: Report, language: str) -> None:
    query = query_of(update)
    services = context.services
    rows = [
        [_button(report.id, f"a{agency.id}", agency.name)]
        for agency in await services.store.agencies.all()
        if agency.id != report.agency_id
    ]
    home = services.areas.by_code.get(report.area_code or "")
    if report.agency_id is not None and home is not None:
        label = plain(language, "handoff.to_area", name=area_owner(home) or "?")
        rows.append([_button(report.id, HOME, label)])
    if not rows:
        await query.answer(plain(language, "handoff.none", ref=report.id), show_alert=True)
        return
    await query.answer()
    rows.append([_button(report.id, CANCEL, plain(language, "handoff.cancel"))])
    user = user_of(update)
    card = pressed_message(query)
    await context.bot.send_message(
        chat_of(update).id,
        t(
            language,
            "handoff.pick",
            ref=report.id,
            officer=mention(user.id, user.full_name, language),
        ),
        reply_markup=InlineKeyboardMarkup(rows),
        reply_parameters=ReplyParameters(card.message_id, allow_sending_without_reply=True)
        if card is not None
        else None,
    )


async def _target(context: BotContext, report: Report, kind: str, key: str) -> Target | None:
    services = context.services
    if kind == "agency" and key.isdigit():
        agency = await services.store.agencies.get(int(key))
        return Target(agency=agency) if agency else None
    area = services.areas.by_code.get(key)
    return Target(area=area) if area else None


async def _chosen(
    update: Update, context: BotContext, report: Report, answer: str, language: str
) -> None:
    """The picker becomes the question asking why; its reply hands the report over."""
    query = query_of(update)
    if answer == HOME:
        kind, key = "area", report.area_code or ""
    else:
        kind, key = "agency", answer.removeprefix("a")
    target = await _target(context, report, kind, key)
    picker = pressed_message(query)
    if target is None or picker is None:
        await query.answer(t(language, "common.stale_button"))
        return
    await query.answer()
    user = user_of(update)
    text = t(
        language,
        "handoff.ask_reason",
        officer=mention(user.id, user.full_name, language),
        ref=report.id,
        owner=target_name(target),
    )
    lifetime = t(language, "alert.question_lifetime", minutes=questions.QUESTION_MINUTES)
    await _edit_pressed(
        update, Html(f"{text}\n{lifetime}"), question_keyboard(report.id, language, skip=False)
    )
    await context.services.questions.ask(
        chat_of(update).id,
        picker.message_id,
        report.id,
        questions.handoff_action(kind, key),
        user.id,
        user.full_name,
    )


async def _edit_pressed(
    update: Update, text: Html, markup: InlineKeyboardMarkup | None = None
) -> None:
    message = pressed_message(query_of(update))
    if message is None:
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest:  # not modified, or deleted meanwhile
        return


async def handoff_answer(
    context: BotContext, report: Report, actor: Actor, question: Question, reason: str | None
) -> Html | None:
    """The reply to a hand-off question: what the question shows now, or None when the reason
    is missing (the question stays open; the caller says so)."""
    services = context.services
    language = services.settings.default_language
    about = questions.handoff_of(question.action)
    target = await _target(context, report, *about) if about else None
    if target is None:
        await services.questions.close(question, questions.State.ANSWERED)
        return t(language, "common.stale_button")
    if not reason:
        return None
    result = await hand_off_as(services, report, target, actor, reason, language)
    await services.questions.close(question, questions.State.ANSWERED)
    owner = target_name(target)
    if result.outcome is Outcome.UNCHANGED:
        return t(language, "handoff.same", ref=report.id, owner=owner)
    if result.outcome is not Outcome.CHANGED:
        return t(language, "handoff.closed", ref=report.id)
    return t(language, "handoff.done", ref=report.id, owner=owner)
