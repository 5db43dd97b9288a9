"""Officers' replies in a group: to one of the bot's questions (a reject reason, a duplicate's
original), or to an alert card (a note, an "after" photo)."""

from __future__ import annotations

from telegram import Message, Update

from bot.domain import questions
from bot.domain.cases import MAX_NOTE, Actor, ChangeResult, Outcome
from bot.domain.permissions import is_admin, may_act_on
from bot.geo.places import area_label
from bot.i18n import t
from bot.telegram.context import BotContext
from handlers.groups.acting import NUMBER, actor_of
from handlers.messages import photo_of
from handlers.narrow import chat_of, message_of, user_of
from storage.alerts import PendingReply
from storage.photos import PhotoRef
from storage.reports import Report


async def group_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's questions, or to an alert card (a note or a photo)."""
    message = message_of(update)
    target = message.reply_to_message
    if target is None or target.from_user is None or target.from_user.id != context.bot.id:
        return
    services = context.services
    chat_id = chat_of(update).id
    pending = await services.store.alerts.pending_at(chat_id, target.message_id)
    card = None if pending else await services.store.alerts.card_at(chat_id, target.message_id)
    report_id = pending.report_id if pending else card.report_id if card else None
    if report_id is None:  # the notice of a reporter's addition stands for the card
        report_id = await services.additions.report_of_message(chat_id, target.message_id)
    if report_id is None:
        return
    language = services.settings.default_language
    report = await services.store.reports.get(report_id)
    if report is None:
        return
    user = user_of(update)
    if not await may_act_on(
        services, services.chat_admins.asking(context.bot), user.id, chat_id, report
    ):
        area = services.areas.by_code.get(report.area_code or "")
        await message.reply_text(
            t(language, "alert.only_officers_reply", area=area_label(area, language)),
        )
        return
    actor = actor_of(update, is_admin(services, user.id))
    text = (message.text or message.caption or "").strip()[:MAX_NOTE] or None
    photo = photo_of(message)
    if pending and pending.action == "reject":
        await _reject(message, context, report, actor, text, pending, language)
    elif pending and pending.action == "duplicate":
        await _duplicate(message, context, report, actor, text, pending, language)
    else:
        await _note(message, context, report, actor, text, photo, language)
        if pending:
            await questions.answered(services.store, pending)


async def _reject(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    reason: str | None,
    pending: PendingReply,
    language: str,
) -> None:
    result = await context.services.cases.change_status(report.id, "rejected", actor, note=reason)
    if result.outcome is Outcome.NOTE_REQUIRED:
        await message.reply_text(t(language, "alert.reason_required"))
        return
    saved = t(language, "alert.reason_saved", ref=report.id, reason=reason or "")
    await _answered(message, context, report, result, pending, saved, language)


async def _duplicate(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    text: str | None,
    pending: PendingReply,
    language: str,
) -> None:
    match = NUMBER.search(text or "")
    original = int(match.group(1)) if match else None
    services, user_id, chat_id = context.services, actor.id or 0, message.chat_id

    async def may_touch(other: Report) -> bool:
        return await may_act_on(
            services, services.chat_admins.asking(context.bot), user_id, chat_id, other
        )

    result = await services.cases.change_status(
        report.id, "duplicate", actor, duplicate_of=original, may_touch_original=may_touch
    )
    if result.outcome is Outcome.BAD_DUPLICATE:
        await message.reply_text(t(language, "alert.bad_duplicate"))
        return
    if result.outcome is Outcome.ORIGINAL_FORBIDDEN:
        await message.reply_text(t(language, "alert.original_forbidden", original=original))
        return
    saved = t(language, "alert.duplicate_saved", ref=report.id, original=original)
    await _answered(message, context, report, result, pending, saved, language)


async def _answered(
    message: Message,
    context: BotContext,
    report: Report,
    result: ChangeResult,
    pending: PendingReply,
    saved: str,
    language: str,
) -> None:
    """The question is closed either way; the officer reads what happened, or why not."""
    await questions.answered(context.services.store, pending)
    if result.outcome is not Outcome.CHANGED:
        status = t(language, f"status.{(result.report or report).status}")
        saved = t(language, "alert.not_allowed_popup", ref=report.id, status=status)
    await message.reply_text(saved)


async def _note(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    text: str | None,
    photo: PhotoRef | None,
    language: str,
) -> None:
    if text is None and photo is None:
        await message.reply_text(t(language, "alert.reply_needs_content"))
        return
    await context.services.cases.add_note(report.id, actor, note=text, photo=photo)
    key = "alert.photo_saved" if photo else "alert.note_saved"
    await message.reply_text(t(language, key, ref=report.id))
