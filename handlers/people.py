"""Who is talking and in which language: the one lookup every handler starts with."""

from __future__ import annotations

from telegram import Chat, Update

from bot.i18n import language_for
from bot.telegram.context import BotContext


async def language_of(update: Update, context: BotContext) -> str:
    """The citizen's chosen language, else their Telegram app's language, else the default.

    In a private chat this also registers the citizen on first contact.
    """
    default = context.services.settings.default_language
    user, chat = update.effective_user, update.effective_chat
    detected = language_for(user.language_code if user else None, default)
    if user is None or chat is None or chat.type != Chat.PRIVATE:
        return detected
    citizen = await context.services.store.citizens.ensure(user.id, chat.id, detected)
    return citizen.language if citizen.language_chosen else detected
