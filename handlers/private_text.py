"""The routes a private message takes before the report conversation's last one.

Each is a handler in its own group (bot/telegram/application.py, where the order is written):
it either takes the message and ends the update with ``ApplicationHandlerStop``, or returns and
lets the next route look. Thin adapters: the work is in handlers/broadcast.py,
handlers/survey.py and handlers/add_info.py.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.telegram.context import BotContext
from handlers import add_info, agency_admin, broadcast, survey, withdraw
from handlers.narrow import message_of
from handlers.people import language_of


async def broadcast_text(update: Update, context: BotContext) -> None:
    """An admin composing a broadcast: the text, the area or the time it asked for."""
    language = await language_of(update, context)
    if await broadcast.on_message(message_of(update), context, language):
        raise ApplicationHandlerStop


async def prompt_answer(update: Update, context: BotContext) -> None:
    """The answer to the citizen's one open question: a reopened report's "what is still
    wrong?", a withdrawal's typed reason, or what ➕ Add information asked for; the next text or
    photo is the answer. An admin's open question (the area an agency handles) comes first."""
    language = await language_of(update, context)
    message = message_of(update)
    if await agency_admin.answer_prompt(message, context, language):
        raise ApplicationHandlerStop
    if await survey.answer_prompt(message, context, language):
        raise ApplicationHandlerStop
    if await withdraw.answer_prompt(message, context, language):
        raise ApplicationHandlerStop
    if await add_info.answer_prompt(message, context, language):
        raise ApplicationHandlerStop
