"""The admin's broadcast progress message, posted and then edited in place through the Bot API.

Why a separate adapter: bot/domain/broadcasts.py decides *when* progress is shown and *what* it
says; only this module knows it is a Telegram message, and turns Telegram's errors into the two
outcomes the domain tells apart (refused: counted as shown; unreachable: tried again).
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.domain.broadcasts import ProgressRefused, ProgressUnreachable


class TelegramProgressBoard:
    """:class:`bot.domain.broadcasts.ProgressBoard` over a bot whose defaults parse HTML."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def show(self, chat_id: int, message_id: int | None, text: str) -> int | None:
        try:
            if message_id is None:
                sent = await self.bot.send_message(chat_id, text)
                return sent.message_id
            await self.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
        except BadRequest as error:
            if "not modified" not in error.message:
                raise ProgressRefused(error.message) from error
        except TelegramError as error:
            raise ProgressUnreachable(str(error)) from error
        return message_id
