"""Starting, resuming and cancelling a report; a photo or a location sent outside one starts it."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.i18n import Html, t
from bot.telegram.context import BotContext
from handlers import keyboards
from handlers.messages import location_of, photo_of
from handlers.narrow import chat_of, message_of, user_of
from handlers.people import language_of
from handlers.report import media, summary
from handlers.report.labels import CONFIRM, KEYBOARD_LABELS
from handlers.report.prompts import prompt, say
from storage.drafts import Draft


async def _open_draft_offer(
    context: BotContext, user_id: int, language: str
) -> tuple[Draft, Html, InlineKeyboardMarkup] | None:
    """What /report offers instead of a blank draft: to continue one under way, or to restore
    one just cancelled; None when there is neither."""
    reporting_service = context.services.reporting
    draft = await reporting_service.active_draft(user_id)
    if draft is not None and (draft.category_key or draft.photos or draft.has_location):
        category = reporting_service.category_of(draft)
        summary = (
            t(language, "report.busy_summary_category", category=category.label(language))
            if category
            else t(language, "report.busy_summary_empty")
        )
        text = t(language, "report.busy", summary=summary)
        return draft, text, keyboards.continue_or_restart(draft, language)
    restorable = await reporting_service.restorable_draft(user_id)
    if restorable is None:
        return None
    category = reporting_service.category_of(restorable)
    label = category.label(language) if category else ""
    text = t(language, "report.restore_offer", category=label)
    return restorable, text, keyboards.restore_or_fresh(restorable, language)


async def begin_report(update: Update, context: BotContext) -> None:
    """/report: a new draft, unless one is under way (continue?) or just cancelled (restore?)."""
    language = await language_of(update, context)
    user, chat = user_of(update), chat_of(update)
    offer = await _open_draft_offer(context, user.id, language)
    if offer is not None:
        await say(context, *offer)
        return
    draft = await context.services.reporting.start(user.id, chat.id)
    await prompt(context, draft, language)


async def cancel_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    draft = await context.services.reporting.active_draft(user_of(update).id)
    if draft is None:
        await message_of(update).reply_text(
            t(language, "common.nothing_to_cancel"),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await cancel(context, draft, language)


async def cancel(context: BotContext, draft: Draft, language: str) -> None:
    await context.services.reporting.cancel(draft)
    await say(context, draft, t(language, "report.cancelled"), ReplyKeyboardRemove())


async def outside_report(update: Update, context: BotContext) -> None:
    """Outside a report, a photo (its caption the description) or a location is the start of
    one: the bot asks at once what the problem is, with the category buttons.
    The last route for a private message (bot/telegram/application.py): anything else is idle
    chat, answered with the menu."""
    language = await language_of(update, context)
    message = message_of(update)
    user, chat = user_of(update), chat_of(update)
    reporting_service = context.services.reporting
    photo = photo_of(message)
    location = location_of(message)
    if photo is not None:
        result = await reporting_service.start_with(
            user.id, chat.id, photo=photo, caption=message.caption
        )
        await media.received(message, context, result, language)
        return
    if location is not None:
        lat, lon, name, address = location
        started = await reporting_service.start_with(
            user.id, chat.id, location=(lat, lon), place_name=name, address=address
        )
        await prompt(context, started.draft, language)
        return
    text = message.text or ""
    if text in CONFIRM:  # "send" tapped twice: the first filed it and the draft is gone
        sent = await summary.just_sent(context, user.id)
        if sent is not None:
            await summary.receipt(context, sent, language, already=True)
            return
    if text in KEYBOARD_LABELS:
        await message.reply_text(
            t(language, "common.nothing_to_cancel"),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await message.reply_text(
        t(language, "common.idle_text"), reply_markup=keyboards.reply_menu(language)
    )
