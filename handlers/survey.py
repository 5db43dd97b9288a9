"""The reporter's answer to "is it fixed?": fixed (then stars) or not fixed (then reopened, with
an optional note or photo for the officers). Only the reporter may answer, checked per press."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.domain import statuses, surveys
from bot.domain.cases import MAX_NOTE, Actor, Outcome
from bot.i18n import plain, t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.narrow import query_of
from handlers.people import language_of
from storage.photos import PhotoRef

PROMPT_VALID_FOR = timedelta(days=1)
#: Stars are for handled reports; a forged press on an open one must not rate it.
ANSWERS = ("fixed", "not-fixed", "skip")


async def survey_pressed(update: Update, context: BotContext) -> None:
    """``survey:<ref>:fixed|not-fixed`` (and ``…:skip`` after a reopen)."""
    query = query_of(update)
    language = await language_of(update, context)
    services = context.services
    press = callbacks.SURVEY.parse(query.data)
    report = await services.store.reports.get(press.report) if press is not None else None
    if press is None or report is None or press.answer not in ANSWERS:
        await query.answer(t(language, "common.stale_button"))
        return
    answer = press.answer
    user = query.from_user
    if report.citizen_id != user.id:
        await query.answer(t(language, "survey.only_reporter"), show_alert=True)
        return
    if answer == "skip":
        await query.answer()
        await surveys.question_closed(services.store, user.id)
        with contextlib.suppress(BadRequest):  # "not modified": a second tap on Skip
            await query.edit_message_reply_markup(None)
        await context.bot.send_message(user.id, t(language, "survey.skipped", ref=report.id))
        return
    actor = Actor("citizen", user.id, None)
    if answer == "fixed":
        result = await services.cases.change_status(report.id, "closed", actor)
    else:
        result = await services.cases.change_status(report.id, "reopened", actor)
    if result.outcome is not Outcome.CHANGED:
        status = t(language, f"status.{(result.report or report).status}")
        await query.answer(
            plain(language, "survey.not_resolved", ref=report.id, status=status), show_alert=True
        )
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    if answer == "fixed":
        await surveys.fixed(services.store, report.id)
        await context.bot.send_message(
            user.id,
            t(language, "survey.rate", ref=report.id),
            reply_markup=_stars(report.id),
        )
        return
    await surveys.not_fixed(services.store, user.id, report.id)
    skip = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(language, "survey.skip"),
                    callback_data=callbacks.SURVEY.data(callbacks.Answer(report.id, "skip")),
                )
            ]
        ]
    )
    await context.bot.send_message(
        user.id,
        t(language, "survey.reopened", ref=report.id),
        reply_markup=skip,
    )


def _stars(report_id: int) -> InlineKeyboardMarkup:
    """One row of five short labels, "1⭐" to "5⭐": a row of five "⭐⭐⭐⭐⭐" buttons is cut off
    on a phone (Telegram shortens each label to a fifth of the screen)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{stars}⭐",
                    callback_data=callbacks.RATING.data(callbacks.Stars(report_id, str(stars))),
                )
                for stars in range(1, 6)
            ]
        ]
    )


async def rating_pressed(update: Update, context: BotContext) -> None:
    """``rating:<ref>:<stars>``: from the reporter only, for a resolved or closed report only; the
    data is checked because anyone can send any callback data."""
    query = query_of(update)
    language = await language_of(update, context)
    services = context.services
    press = callbacks.RATING.parse(query.data)
    report = await services.store.reports.get(press.report) if press is not None else None
    stars = press.stars if press is not None else ""
    if report is None or stars not in {"1", "2", "3", "4", "5"}:
        await query.answer(t(language, "common.stale_button"))
        return
    if report.citizen_id != query.from_user.id:
        await query.answer(t(language, "survey.only_reporter"), show_alert=True)
        return
    if report.status not in statuses.RATEABLE:  # stars are offered only once it is done
        status = t(language, f"status.{report.status}")
        await query.answer(
            plain(language, "survey.not_resolved", ref=report.id, status=status), show_alert=True
        )
        return
    await surveys.fixed(services.store, report.id, stars=int(stars))
    await query.answer()
    with contextlib.suppress(BadRequest):  # "not modified": the same star tapped twice
        await query.edit_message_text(
            t(language, "survey.rated", ref=report.id, stars="⭐" * int(stars)),
        )


async def answer_prompt(message: Message, context: BotContext, language: str) -> bool:
    """A reopened report's "what is still wrong?": the next text or photo is the answer.
    Returns False when no such question is open (the message is for the report flow)."""
    services = context.services
    user_id = message.chat_id
    prompt = await services.store.surveys.prompt(user_id)
    if prompt is None or prompt.kind != surveys.REOPEN_NOTE:
        return False
    if services.clock.now() - datetime.fromisoformat(prompt.created_at) > PROMPT_VALID_FOR:
        await surveys.question_closed(services.store, user_id)  # a day later, just a message
        return False
    text = (message.text or message.caption or "").strip()[:MAX_NOTE] or None
    photo = None
    if message.photo:
        photo = PhotoRef(message.photo[-1].file_id, message.photo[-1].file_unique_id)
    if text is None and photo is None:
        return False
    await services.cases.add_note(
        prompt.report_id, Actor("citizen", user_id, None), note=text, photo=photo
    )
    await surveys.question_closed(services.store, user_id)
    await message.reply_text(t(language, "survey.note_sent", ref=prompt.report_id))
    return True
