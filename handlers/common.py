"""/start, /help, /language, the main menu, group redirects, edits and the error handler."""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler

from bot.context import BotContext
from bot.i18n import LANGUAGES, Html, t
from handlers import keyboards, officers
from handlers.people import language_of
from handlers.report import begin_report
from handlers.tracking import my_reports

log = logging.getLogger(__name__)


async def start(update: Update, context: BotContext) -> None:
    """Welcome, or jump straight into a report when opened through a ``?start=report`` link."""
    payload = context.args[0] if context.args else ""
    if payload == "report":
        await begin_report(update, context)
        return
    if payload.startswith(officers.INVITE_PREFIX):
        await officers.redeem(update, context, payload.removeprefix(officers.INVITE_PREFIX))
        return
    language = await language_of(update, context)
    user = update.effective_user
    name = user.first_name if user else ""
    welcome = t(language, "common.welcome", name=name)
    if await context.services.store.citizens.set_announcements(user.id, on=True):
        welcome = Html(f"{t(language, 'broadcast.resumed')}\n\n{welcome}")
    await update.effective_message.reply_text(
        welcome,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboards.main_menu(language),
    )


async def help_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    await update.effective_message.reply_text(t(language, "common.help"), parse_mode=ParseMode.HTML)


async def language_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    await update.effective_message.reply_text(
        t(language, "language.choose"),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboards.language_choice(),
    )


async def language_chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    code = (query.data or "").partition(":")[2]
    if code not in LANGUAGES:
        language = await language_of(update, context)
        await query.answer(t(language, "common.stale_button"))
        return
    await language_of(update, context)  # registers the citizen if new
    await context.services.store.citizens.set_language(query.from_user.id, code)
    await query.answer()
    await query.edit_message_text(t(code, "language.changed"), parse_mode=ParseMode.HTML)


async def menu_pressed(update: Update, context: BotContext) -> None:
    """The main-menu buttons are shortcuts to the matching commands, which belong to the
    private chat: pressed anywhere else (forged data), they are stale."""
    query = update.callback_query
    chat = update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:
        await stale_button(update, context)
        return
    action = (query.data or "").partition(":")[2]
    await query.answer()
    if action == "report":
        await begin_report(update, context)
    elif action == "mine":
        await my_reports(update, context)
    elif action == "lang":
        await language_command(update, context)
    else:
        await help_command(update, context)


async def private_only(update: Update, context: BotContext) -> None:
    """A citizen command sent in a group: point to the private chat instead of answering there."""
    language = await language_of(update, context)
    await update.effective_message.reply_text(
        t(language, "common.private_only"),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboards.open_private_chat(language, context.bot.username),
    )


async def unknown_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    await update.effective_message.reply_text(
        t(language, "common.unknown_command"), parse_mode=ParseMode.HTML
    )


async def edited_message(update: Update, context: BotContext) -> None:
    """Edits are not read; say so, except for live-location updates, which arrive as edits."""
    message = update.edited_message
    if message is None or message.location is not None:
        return
    language = await language_of(update, context)
    await message.reply_text(t(language, "common.edited_ignored"), parse_mode=ParseMode.HTML)


class PressWithoutMessage(CallbackQueryHandler[BotContext, None]):
    """A press that carries no message: a button of a message sent in inline mode. The bot never
    sends one, so the data is foreign or forged; registered first, it lets every other button
    handler rely on the pressed message's chat."""

    def check_update(self, update: object) -> bool:
        return (
            isinstance(update, Update)
            and update.callback_query is not None
            and update.callback_query.message is None
        )


async def stale_button(update: Update, context: BotContext) -> None:
    """A button whose data we do not know (forged, or from an old version of the bot)."""
    language = await language_of(update, context)
    await update.callback_query.answer(t(language, "common.stale_button"))


async def on_error(update: object, context: BotContext) -> None:
    """Log with context and tell the user their data is safe; never let one update stop the bot.

    ``Forbidden`` is not a fault: the person blocked the bot, or the group removed it, while its
    update was being handled. Nobody can be told, and delivery marks the chat when it next
    writes there (bot/delivery.py).
    """
    if isinstance(context.error, Forbidden):
        update_id = getattr(update, "update_id", None)
        reason = context.error.message
        log.info(
            "chat closed to the bot while answering",
            extra={"update_id": update_id, "reason": reason},
        )
        return
    log.error(
        "update failed",
        exc_info=context.error,
        extra={"update_id": getattr(update, "update_id", None)},
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        language = await language_of(update, context)
        if update.callback_query:
            await update.callback_query.answer(t(language, "common.error"))
        else:
            await context.bot.send_message(
                update.effective_chat.id, t(language, "common.error"), parse_mode=ParseMode.HTML
            )
    except (TelegramError, Exception):
        log.warning("could not tell the user about the error", exc_info=True)
