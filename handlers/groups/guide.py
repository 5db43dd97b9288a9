"""/help in a group: what officers can do there, in the groups' language, in a few lines.

Why its own answer: in a group /help used to send people to the private chat, where the
citizen's help is; officers reading an alert on a phone need the group's side instead.
"""

from __future__ import annotations

from telegram import Update

from bot.domain import questions
from bot.i18n import t
from bot.telegram.context import BotContext
from handlers.narrow import message_of


async def help_command(update: Update, context: BotContext) -> None:
    language = context.services.settings.default_language
    await message_of(update).reply_text(
        t(
            language,
            "groups.help",
            bot=context.bot.username,
            minutes=questions.QUESTION_MINUTES,
        )
    )
