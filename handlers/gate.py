"""What runs before every handler: the per-person throttle, then the ban check.

Both are TypeHandlers in groups before the handlers' own (see bot/telegram/application.py), and
both end an
update with ``ApplicationHandlerStop``, so a dropped or banned update reaches no handler: no
draft, no report, no registration. Registered in one place so no handler has to remember them.

Banned citizens: their messages in the private chat and their button presses anywhere are
refused; a message gets one polite answer an hour at most (a press always gets its pop-up, which
costs nothing in the chat). Their open reports are left as they are, and officers still handle
them; follow-ups keep reaching them. Admins are never throttled or banned.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop

from bot.domain.permissions import is_admin
from bot.i18n import language_for, plain, t
from bot.telegram.context import BotContext
from bot.telegram.throttle import UpdateThrottle, Verdict
from handlers.narrow import chat_of

log = logging.getLogger(__name__)

BANNED_ANSWER_EVERY = timedelta(hours=1)
MAX_REMEMBERED = 20_000


def _person(update: object) -> int | None:
    """Whom to count: the sender of a message, an edit or a button press, nothing else (member
    changes and the like are Telegram's own and must never be dropped)."""
    if not isinstance(update, Update) or update.effective_user is None:
        return None
    if update.message or update.edited_message or update.callback_query:
        return update.effective_user.id
    return None


def _throttle(context: BotContext) -> UpdateThrottle:
    bot_data = context.application.bot_data
    throttle = bot_data.get("throttle")
    if throttle is None:
        limit = context.services.settings.max_updates_per_minute
        throttle = bot_data["throttle"] = UpdateThrottle(limit)
    return throttle


def _language(update: Update, context: BotContext, chosen: str | None = None) -> str:
    default = context.services.settings.default_language
    user = update.effective_user
    return chosen or language_for(user.language_code if user else None, default)


def _for_the_bot(update: Update, bot_id: int) -> bool:
    """In a group only what is meant for the bot counts (commands, replies to it, presses): an
    officer chatting with colleagues must not be slowed when they then press a button."""
    chat = update.effective_chat
    if update.callback_query or chat is None or chat.type == Chat.PRIVATE:
        return True
    message = update.effective_message
    if message is None:
        return False
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
    )
    return to_bot or (message.text or "").startswith("/")


async def throttle(update: Update, context: BotContext) -> None:
    person = _person(update)
    if person is None or is_admin(context.services, person):
        return
    if not _for_the_bot(update, context.bot.id):
        return
    verdict = _throttle(context).check(person, context.services.clock.now())
    if verdict is Verdict.PASS:
        return
    if verdict is Verdict.WARN:
        log.info("person slowed down", extra={"user_id": person})
        language = _language(update, context)
        if update.callback_query:
            await update.callback_query.answer(plain(language, "common.slow_down"), show_alert=True)
        elif update.effective_chat and update.effective_chat.type == Chat.PRIVATE:
            await context.bot.send_message(
                update.effective_chat.id, t(language, "common.slow_down")
            )
    raise ApplicationHandlerStop


async def ban_gate(update: Update, context: BotContext) -> None:
    person = _person(update)
    if person is None or is_admin(context.services, person):
        return
    private = update.effective_chat is not None and update.effective_chat.type == Chat.PRIVATE
    if not (private or update.callback_query):
        return  # a banned citizen in a group: the handlers there check who may act anyway
    citizen = await context.services.store.citizens.get(person)
    if citizen is None or citizen.banned_at is None:
        return
    language = _language(update, context, citizen.language if citizen.language_chosen else None)
    if update.callback_query:
        await update.callback_query.answer(plain(language, "common.banned"), show_alert=True)
    elif _answer_due(context, person):
        await context.bot.send_message(chat_of(update).id, t(language, "common.banned"))
    raise ApplicationHandlerStop


def _answer_due(context: BotContext, person: int) -> bool:
    """At most one polite answer per hour to each banned citizen (bounded, in memory)."""
    answered: OrderedDict[int, datetime] = context.application.bot_data.setdefault(
        "banned_answered", OrderedDict()
    )
    now = context.services.clock.now()
    last = answered.get(person)
    if last is not None and now - last < BANNED_ANSWER_EVERY:
        return False
    answered[person] = now
    answered.move_to_end(person)
    if len(answered) > MAX_REMEMBERED:
        answered.popitem(last=False)
    return True
