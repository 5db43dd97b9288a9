"""What each failure to send means: retry later, wait as told, park the row, unlink a group,
follow a migrated group, or stop writing to a citizen who blocked the bot.

One place decides this for every kind of row, so a sender only sends: it raises
:class:`Undeliverable` when its row can never go out, and lets Telegram's errors through.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.outbox.pacing import after
from bot.services import Services
from storage.groups import migrate_chat
from storage.outbox import PRIORITY_ALERT, OutboxKind, OutboxMessage, OutboxRow

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
_HARMLESS = ("message is not modified",)


class Undeliverable(Exception):
    """The row can never be sent (its report or card is gone); park it as dead."""


class ErrorPolicy:
    """Records the outcome of a send that failed. ``again`` asks the pump for another pass at
    once (a migrated group's rows, or a notice to the admins, are due now)."""

    def __init__(self, services: Services, again: Callable[[], None]) -> None:
        self.services = services
        self._again = again

    async def settle(self, row: OutboxRow, error: Exception) -> bool:
        """Record what ``error`` means for ``row``. True when the row is done with (sent or
        parked) and the chat's next rows may follow; False when they must wait behind it."""
        outbox = self.services.store.outbox
        if isinstance(error, RetryAfter):
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await outbox.defer(row.id, after(seconds), f"retry after {seconds:.0f}s")
            return False
        if isinstance(error, ChatMigrated):
            await migrate_chat(self.services.store.db, row.chat_id, error.new_chat_id)
            await outbox.release([row.id])
            log.info("group migrated", extra={"old": row.chat_id, "new": error.new_chat_id})
            self._again()  # its rows now carry the new id: send them in the next pass
            return False
        if isinstance(error, Forbidden):
            await self._unreachable(row, f"forbidden: {error.message}")
            return True
        if isinstance(error, BadRequest):
            reason = error.message.lower()  # PTB capitalises Telegram's "message is not ..."
            if any(text in reason for text in _HARMLESS):
                await outbox.mark_sent(row.id, None)
                return True
            if "chat not found" in reason:
                await self._unreachable(row, "chat not found")
                return True
            await outbox.mark_dead(row.id, f"bad request: {error.message}")
            log.warning("outbox row refused", extra={"row": row.id, "kind": row.kind})
            return True
        if isinstance(error, (NetworkError, TelegramError)):
            return await self._retry_later(row, f"{type(error).__name__}: {error}")
        if isinstance(error, Undeliverable):
            await outbox.mark_dead(row.id, str(error))
            return True
        # A bug in a sender: logged, and retried like a network error.
        log.error("outbox row failed unexpectedly", extra={"row": row.id}, exc_info=error)
        return await self._retry_later(row, f"{type(error).__name__}: {error}")

    async def _unreachable(self, row: OutboxRow, reason: str) -> None:
        """A citizen who blocked us gets no more messages; a group that is gone (the bot was
        removed, or the chat deleted) is unlinked and the admins are told, once."""
        store = self.services.store
        await store.outbox.mark_dead(row.id, reason)
        if row.chat_id > 0:
            await store.citizens.mark_blocked(row.chat_id)
            return
        links = await store.groups.links_of(row.chat_id)
        await store.groups.unlink(row.chat_id)
        await store.outbox.kill_pending(row.chat_id, f"group gone: {reason}")
        log.warning("group unreachable", extra={"chat": row.chat_id, "reason": reason})
        admin_chat = self.services.settings.admin_chat_id
        if links and admin_chat is not None and admin_chat != row.chat_id:
            await store.outbox.add(
                [
                    OutboxMessage(
                        chat_id=admin_chat,
                        kind=OutboxKind.ADMIN_NOTICE,
                        payload={"chat_id": row.chat_id, "title": links[0].title, "reason": reason},
                        dedupe_key=f"group_gone:{row.chat_id}:{links[0].linked_at}",
                        priority=PRIORITY_ALERT,
                    )
                ]
            )
            self._again()

    async def _retry_later(self, row: OutboxRow, error: str) -> bool:
        """Exponential backoff with jitter, until ``OUTBOX_MAX_ATTEMPTS``; then the row is dead."""
        outbox = self.services.store.outbox
        attempts = row.attempts + 1
        if attempts >= self.services.settings.outbox_max_attempts:
            await outbox.mark_dead(row.id, error)
            log.warning("outbox row dead", extra={"row": row.id, "kind": row.kind})
            return True
        base = self.services.settings.outbox_backoff_seconds
        backoff = min(MAX_BACKOFF_SECONDS, base * 2 ** (attempts - 1)) * random.uniform(0.5, 1.0)
        await outbox.defer(row.id, after(backoff), error)
        return False
