"""/start, /help, /language, the main menu, group redirects, edits and the error handler."""

from __future__ import annotations

import contextlib
import logging

from telegram import CallbackQuery, Chat, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from bot.domain import citizens
from bot.i18n import LANGUAGES, Html, t
from bot.telegram import callbacks
from bot.telegram.callbacks import Shown
from bot.telegram.context import BotContext
from handlers import keyboards, officers
from handlers.narrow import message_of, query_of, user_of
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
    user = user_of(update)
    name = user.first_name
    welcome = t(language, "common.welcome", name=name)
    if await context.services.citizens.set_announcements(user.id, on=True):
        welcome = Html(f"{t(language, 'broadcast.resumed')}\n\n{welcome}")
    await message_of(update).reply_text(welcome, reply_markup=keyboards.reply_menu(language))


async def help_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    await message_of(update).reply_text(t(language, "common.help"))


async def language_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    await message_of(update).reply_text(
        t(language, "language.choose"),
        reply_markup=keyboards.language_choice(),
    )


async def language_chosen(update: Update, context: BotContext) -> None:
    query = query_of(update)
    press = callbacks.LANGUAGE.parse(query.data)
    code = press.word if press else ""
    if code not in LANGUAGES:
        language = await language_of(update, context)
        await query.answer(t(language, "common.stale_button"))
        return
    await citizens.choose_language(context.services.store, query.from_user.id, code)
    await query.answer()
    with contextlib.suppress(BadRequest):  # "not modified": a second tap on the same message
        await query.edit_message_text(t(code, "language.changed"))


async def menu_pressed(update: Update, context: BotContext) -> None:
    """The inline main-menu buttons (on messages from before the reply menu) are shortcuts to
    the matching commands."""
    query = query_of(update)
    press = callbacks.MENU.parse(query.data)
    await query.answer()
    await _open(press.word if press else "", update, context)


async def menu_text(update: Update, context: BotContext) -> None:
    """A label of the reply main menu, whatever else is under way: the matching command."""
    await _open(keyboards.MENU_WORDS.get(message_of(update).text or "", ""), update, context)
    raise ApplicationHandlerStop  # not also a report step's text


async def _open(action: str, update: Update, context: BotContext) -> None:
    if action == "report":
        await begin_report(update, context)
    elif action == "mine":
        await my_reports(update, context)
    elif action == "language":
        await language_command(update, context)
    else:
        await help_command(update, context)


async def private_only(update: Update, context: BotContext) -> None:
    """A citizen command sent in a group: point to the private chat instead of answering there."""
    language = await language_of(update, context)
    await message_of(update).reply_text(
        t(language, "common.private_only"),
        reply_markup=keyboards.open_private_chat(language, context.bot.username),
    )


async def unknown_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    await message_of(update).reply_text(t(language, "common.unknown_command"))


async def edited_message(update: Update, context: BotContext) -> None:
    """Edits are not read; say so, except for live-location updates, which arrive as edits."""
    message = update.edited_message
    if message is None or message.location is not None:
        return
    language = await language_of(update, context)
    await message.reply_text(t(language, "common.edited_ignored"))


class ForeignPress(CallbackQueryHandler[BotContext, None]):
    """A press of a button the bot cannot have shown there, so forged or garbled data: on an
    inline-mode message (the bot sends none), a private chat's button in a group (which would
    let anyone rewrite an alert card), a group's button in a private chat, or a text-replacing
    button on a photo. Registered before the button handlers, so each of them can trust the
    chat and the message it was pressed on."""

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        message, data = update.callback_query.message, update.callback_query.data or ""
        if message is None:
            return True
        kind = callbacks.kind_of_prefix(data)  # by its first word: unknown data is merely stale
        if kind is None:
            return False
        private = message.chat.type == Chat.PRIVATE
        if kind.shown is (Shown.PRIVATE if not private else Shown.GROUP):
            return True
        return (  # an old message Telegram no longer shows us may well have been text
            isinstance(message, Message)
            and message.is_accessible
            and message.text is None
            and kind.replaces_text
        )


async def stale_button(update: Update, context: BotContext) -> None:
    """A button whose data we do not know (forged, or from an old version of the bot)."""
    language = await language_of(update, context)
    await query_of(update).answer(t(language, "common.stale_button"))


async def on_error(update: object, context: BotContext) -> None:
    """Log, tell the person their data is safe, and end the update there.

    Ending it matters because the private-text routes are handler groups one after another
    (bot/telegram/application.py): PTB runs the next group after a failed handler, so a report
    step that failed half-way (its photo saved, the answer lost to the network) would pass the
    same message on to the next route, which would take it as the start of a new report.
    """
    await _report(update, context)
    raise ApplicationHandlerStop  # PTB: no further handler groups for this update


async def _report(update: object, context: BotContext) -> None:
    """Log with context and tell the user their data is safe; never let one update stop the bot.

    ``Forbidden`` is not a fault: the person blocked the bot, or the group removed it, while its
    update was being handled. Nobody can be told, and delivery marks the chat when it next
    writes there (bot/outbox/policy.py).
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
    private = update.effective_chat.type == "private"
    try:
        language = await language_of(update, context)
        # A button's pop-up reaches only its presser, so officers in a group hear it too.
        if update.callback_query and await _answered(update.callback_query, language):
            return
        if not private:
            return
        await context.bot.send_message(update.effective_chat.id, t(language, "common.error"))
    except (TelegramError, Exception):
        log.warning("could not tell the user about the error", exc_info=True)


async def _answered(query: CallbackQuery, language: str) -> bool:
    """Tell a button's presser in the little pop-up. A press can be answered only once, and the
    handler may have answered it before it failed: then the chat is the way left (a refused
    answer comes back False, see bot/telegram/rate_limiter.py)."""
    try:
        return bool(await query.answer(t(language, "common.error")))
    except BadRequest:
        return False
