"""Who is talking and in which language: the citizen registered on first contact, then the one
lookup every handler starts with.

Registration is a ``TypeHandler`` of its own (bot/telegram/application.py), after the throttle
and the ban gate, as PTB's ``examples/contexttypesbot.py`` tracks users: so it happens once per
update, before any handler, and never for a dropped or banned update; ``language_of`` only reads.
"""

from __future__ import annotations

from telegram import Chat, Update

from bot.domain import citizens
from bot.domain.permissions import is_admin
from bot.i18n import language_for, t
from bot.telegram.context import BotContext
from handlers.narrow import chat_of, message_of, user_of


def _detected(update: Update, context: BotContext) -> str:
    """The Telegram app's language when we speak it, else the default."""
    user = update.effective_user
    default = context.services.settings.default_language
    return language_for(user.language_code if user else None, default)


def _in_private(update: Update) -> bool:
    chat = update.effective_chat
    return update.effective_user is not None and chat is not None and chat.type == Chat.PRIVATE


async def register(update: Update, context: BotContext) -> None:
    """A person writing or pressing in a private chat is a citizen from now on (and one who had
    blocked the bot and came back is reachable again)."""
    if not _in_private(update) or not (
        update.message or update.edited_message or update.callback_query
    ):
        return
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None  # _in_private
    detected = _detected(update, context)
    context.citizen = await citizens.register(context.services.store, user.id, chat.id, detected)


async def language_of(update: Update, context: BotContext) -> str:
    """The citizen's chosen language, else their Telegram app's language, else the default."""
    detected = _detected(update, context)
    if not _in_private(update) or update.effective_user is None:
        return detected
    citizen = context.citizen
    if citizen is None or citizen.user_id != update.effective_user.id:
        citizen = await context.services.store.citizens.get(update.effective_user.id)
    if citizen is None or not citizen.language_chosen:
        return detected
    return citizen.language


async def admin_language(update: Update, context: BotContext, refusal: str) -> str | None:
    """The sender's language when they are an admin; anyone else is answered with the catalog
    text ``refusal`` (checked on the server for every admin command, whatever the client
    showed) and None returned."""
    language = await language_of(update, context)
    if is_admin(context.services, user_of(update).id):
        return language
    await message_of(update).reply_text(t(language, refusal))
    return None


async def admin_in_private(
    update: Update, context: BotContext, language: str, *, refusal: str, private_only: str
) -> bool:
    """An admin, in a private chat (lists that name people and areas stay out of groups);
    anyone else, or a group, is answered with the catalog text ``refusal`` or
    ``private_only``."""
    message = message_of(update)
    if not is_admin(context.services, user_of(update).id):
        await message.reply_text(t(language, refusal))
        return False
    if chat_of(update).type != "private":
        await message.reply_text(t(language, private_only))
        return False
    return True
