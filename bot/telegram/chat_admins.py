"""Whether a user administers a group chat, asked of Telegram and remembered for a short while."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from telegram import Bot, ChatMember
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

ADMIN_STATUSES = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
CACHE_SECONDS = 120.0


class ChatAdminCache:
    """getChatMember answers, kept briefly: a busy group presses many buttons a minute, and a
    demoted admin loses their say within two minutes."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        cached = self._entries.get(key)
        now = time.monotonic()
        if cached and cached[0] > now:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
            answer = member.status in ADMIN_STATUSES
        except BadRequest:
            # Telegram's definite "no such member" ("User not found", "chat not found"): PTB
            # makes BadRequest a NetworkError, but it is an answer, not a failure to get one.
            answer = False
        except (NetworkError, RetryAfter):
            # Telegram did not answer this time (a 5xx, a timeout): neither a "no" to remember
            # for the whole cache period nor one to refuse the officer with ("only officers
            # may..."). The press fails; the error handler asks them to try again.
            raise
        except TelegramError:
            answer = False
        self._entries[key] = (now + self.ttl, answer)
        return answer

    def asking(self, bot: Bot) -> Callable[[int, int], Awaitable[bool]]:
        """``(chat_id, user_id) -> is admin`` through ``bot``: the question as the domain takes
        it (bot/domain/permissions.py), which never sees Telegram."""

        async def is_admin(chat_id: int, user_id: int) -> bool:
            return await self.is_admin(bot, chat_id, user_id)

        return is_admin
