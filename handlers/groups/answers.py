"""What an officer's answer to one of the bot's open questions does: a reason rejects the report,
an "after" photo (or, where the category allows, a reason for having none) resolves it, and a
report number is shown back as the original to confirm before the duplicate is marked.

The outcome is shown on the question itself, which loses its buttons once it is answered; a
refused answer (no reason, a closed original) gets a reply and leaves the question open.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.domain import questions, statuses
from bot.domain.cases import MAX_NOTE, Actor, ChangeResult, Outcome
from bot.domain.permissions import may_act_on
from bot.geo.places import area_label
from bot.i18n import Html, plain, t
from bot.outbox.renderers import category_label
from bot.telegram import callbacks
from bot.telegram.callbacks import Answer, Original
from bot.telegram.context import BotContext
from handlers.groups.acting import NUMBER
from handlers.groups.alerts import mention, photo_optional
from handlers.groups.handoff import handoff_answer
from handlers.messages import photo_of
from storage.photos import PhotoRef
from storage.questions import Question
from storage.reports import Report


@dataclass(frozen=True)
class Shown:
    """What the question's message becomes: an outcome (no buttons), or a duplicate to confirm."""

    text: Html
    markup: InlineKeyboardMarkup | None = None


def words_of(message: Message) -> str | None:
    return (message.text or message.caption or "").strip()[:MAX_NOTE] or None


async def take_answer(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    question: Question,
    *,
    replied: bool,
) -> None:
    """``message`` answers ``question`` (as a reply to it, or ``replied=False``: posted plainly
    by the only officer it can be from, who is then pointed at the question)."""
    language = context.services.settings.default_language
    text, photo = words_of(message), photo_of(message)
    shown: Shown | None
    if questions.handoff_of(question.action) is not None:
        outcome = await handoff_answer(context, report, actor, question, text)
        if outcome is None:
            await message.reply_text(t(language, "handoff.needs_reason"))
            return
        shown = Shown(outcome)
    elif question.action == questions.REJECT:
        shown = await _reject(message, context, report, actor, question, text)
    elif question.action == questions.DUPLICATE:
        shown = await _propose_duplicate(message, context, report, actor, text)
    else:
        shown = await _resolve(message, context, report, actor, question, text, photo)
    if shown is None:
        return
    await show_on_question(context, question, shown)
    if not replied:
        await message.reply_text(t(language, "alert.answered_above", ref=report.id))


async def show_on_question(context: BotContext, question: Question, shown: Shown) -> None:
    with contextlib.suppress(BadRequest):  # not modified, or the question was deleted
        await context.bot.edit_message_text(
            shown.text,
            chat_id=question.chat_id,
            message_id=question.message_id,
            reply_markup=shown.markup,
        )


def _refused_change(result: ChangeResult, report: Report, language: str) -> Html:
    status = t(language, f"status.{(result.report or report).status}")
    return t(language, "alert.not_allowed_popup", ref=report.id, status=status)


async def _reject(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    question: Question,
    reason: str | None,
) -> Shown | None:
    language = context.services.settings.default_language
    result = await context.services.cases.change_status(report.id, "rejected", actor, note=reason)
    if result.outcome is Outcome.NOTE_REQUIRED:
        await message.reply_text(t(language, "alert.reason_required"))
        return None
    await context.services.questions.close(question, questions.State.ANSWERED)
    if result.outcome is not Outcome.CHANGED:
        return Shown(_refused_change(result, report, language))
    return Shown(t(language, "alert.reason_saved", ref=report.id, reason=reason or ""))


async def _resolve(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    question: Question,
    text: str | None,
    photo: PhotoRef | None,
) -> Shown | None:
    """The after photo resolves the report, its caption the note; without a photo, where the
    category allows it, the words are the reason the reporter reads. Whether it allows it is
    the cases service's to say (``Outcome.PHOTO_REQUIRED``): the question stays open for the
    photo."""
    services = context.services
    language = services.settings.default_language
    category = category_label(services, report, language)
    if photo is None and text is None:
        if photo_optional(context, report):
            await message.reply_text(t(language, "alert.reply_needs_content"))
        else:
            await message.reply_text(t(language, "alert.photo_required", category=category))
        return None
    result = await services.cases.change_status(
        report.id, statuses.RESOLVED, actor, note=text, photo=photo
    )
    if result.outcome is Outcome.PHOTO_REQUIRED:
        await message.reply_text(t(language, "alert.photo_required", category=category))
        return None
    await services.questions.close(question, questions.State.ANSWERED)
    if result.outcome is not Outcome.CHANGED:
        return Shown(_refused_change(result, report, language))
    officer = mention(question.officer_id, question.officer_name, language)
    if photo is not None:
        return Shown(t(language, "alert.resolved_saved", ref=report.id, officer=officer))
    return Shown(
        t(language, "alert.resolved_saved_reason", ref=report.id, officer=officer, reason=text)
    )


async def duplicate_refusal(
    context: BotContext, report: Report, original: Report | None, user_id: int, chat_id: int
) -> Html | None:
    """Why ``original`` cannot be the report's original, or None: it must be another report,
    still standing (not rejected, closed or itself a duplicate), and one the officer may act on,
    since its reporter is handed over to it."""
    services = context.services
    language = services.settings.default_language
    if original is None or original.id == report.id:
        return t(language, "alert.bad_duplicate")
    if original.status == statuses.DUPLICATE and original.duplicate_of:
        return t(
            language, "alert.original_duplicate", original=original.id, root=original.duplicate_of
        )
    if original.status in statuses.NOT_AN_ORIGINAL:
        status = t(language, f"status.{original.status}")
        return t(language, "alert.original_closed", original=original.id, status=status)
    may = await may_act_on(
        services, services.chat_admins.asking(context.bot), user_id, chat_id, original
    )
    if not may:
        return t(language, "alert.original_forbidden", original=original.id)
    return None


async def _propose_duplicate(
    message: Message, context: BotContext, report: Report, actor: Actor, text: str | None
) -> Shown | None:
    """The original as the officer will hand the reporter to it: category, area and status,
    with a button to confirm. Nothing changes yet."""
    services = context.services
    language = services.settings.default_language
    match = NUMBER.search(text or "")
    original = await services.store.reports.get(int(match.group(1))) if match else None
    refusal = await duplicate_refusal(context, report, original, actor.id or 0, message.chat_id)
    if refusal is not None or original is None:
        await message.reply_text(refusal or t(language, "alert.bad_duplicate"))
        return None
    area = services.areas.by_code.get(original.area_code or "")
    proposal = t(
        language,
        "alert.duplicate_confirm",
        officer=mention(actor.id or 0, actor.name, language),
        ref=report.id,
        original=original.id,
        category=category_label(services, original, language),
        area=area_label(area, language),
        status=t(language, f"status.{original.status}"),
    )
    buttons = [
        InlineKeyboardButton(
            plain(language, "alert.confirm_duplicate_button", original=original.id),
            callback_data=callbacks.DUPLICATE_OF.data(Original(report.id, original.id)),
        ),
        InlineKeyboardButton(
            plain(language, "alert.cancel_button"),
            callback_data=callbacks.QUESTION.data(Answer(report.id, "cancel")),
        ),
    ]
    return Shown(proposal, InlineKeyboardMarkup([buttons]))


async def mark_duplicate(
    context: BotContext, report: Report, original_id: int, actor: Actor, chat_id: int
) -> tuple[bool, Html]:
    """The confirmed duplicate, everything checked again at the press: (done, what to say)."""
    services = context.services
    language = services.settings.default_language
    original = await services.store.reports.get(original_id)
    refusal = await duplicate_refusal(context, report, original, actor.id or 0, chat_id)
    if refusal is not None:
        return False, refusal

    async def may_touch(other: Report) -> bool:
        return await may_act_on(
            services, services.chat_admins.asking(context.bot), actor.id or 0, chat_id, other
        )

    result = await services.cases.change_status(
        report.id,
        statuses.DUPLICATE,
        actor,
        duplicate_of=original_id,
        may_touch_original=may_touch,
    )
    if result.outcome is Outcome.BAD_DUPLICATE:
        return False, t(language, "alert.bad_duplicate")
    if result.outcome is Outcome.ORIGINAL_FORBIDDEN:
        return False, t(language, "alert.original_forbidden", original=original_id)
    if result.outcome is not Outcome.CHANGED:
        return False, _refused_change(result, report, language)
    return True, t(language, "alert.duplicate_saved", ref=report.id, original=original_id)
