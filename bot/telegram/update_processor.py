"""Updates from different chats run side by side; updates from one chat run one after another.

Why: PTB's default processes one update at a time, so a citizen whose typed address waits on a slow
geocoder holds up everybody else. ``concurrent_updates(True)`` fixes that but lets two updates of
one conversation race (a photo and the "Done" tap after it could be read in either order), which a
step-by-step report cannot survive.

How: PTB starts one task per update, in the order the updates arrived, and each task reaches
:meth:`do_process_update` without waiting as long as the base class's semaphore has room (its
bound is set far above anything reachable). There each update links itself behind the previous
update of the same chat -- synchronously, so arrival order is the processing order -- and waits
for that one to finish. Only then does it take one of ``max_running`` slots. Waiting for a chat's
turn therefore never holds a slot, so one chat flooding the bot cannot starve the others.

Updates with no chat (inline queries, button presses on inline messages) are ordered by the user,
whose private chat id is the same number; updates with neither run unordered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

#: Handlers running at once. Each one holds at most a few HTTP requests, well inside PTB's pool
#: of 256 connections, and SQLite writes are serialised by the store anyway.
DEFAULT_MAX_RUNNING = 64
#: The base class's bound: updates admitted (running or waiting for their chat's turn). Far above
#: what getUpdates can deliver between two handler completions, so admission never reorders.
_ADMITTED = 100_000


def ordering_key(update: object) -> int | None:
    """The chat (or, failing that, the user) whose updates must stay in order."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, strictly ordered within a chat (see the module docstring)."""

    def __init__(
        self,
        max_running: int = DEFAULT_MAX_RUNNING,
        on_done: Callable[[object], Awaitable[None]] | None = None,
        on_start: Callable[[object], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(_ADMITTED)
        if max_running < 1:
            raise ValueError("max_running must be a positive integer")
        self.max_running = max_running
        #: Called after an update's handlers finished (not when cancelled): the inbox's mark.
        self.on_done = on_done
        #: Called just before an update's handlers run (the inbox counts replays that ran).
        self.on_start = on_start
        self._slots = asyncio.Semaphore(max_running)
        self._tails: dict[int, asyncio.Future[None]] = {}

    @property
    def waiting_chats(self) -> int:
        """Chats with an update in progress or queued (for metrics and tests)."""
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._slots:
                await self._starting(update)
                await coroutine
                await self._finished(update)
            return
        previous = self._tails.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        started = False
        try:
            if previous is not None:
                # Shielded: if this task is cancelled, the previous update must not be.
                await asyncio.shield(previous)
            async with self._slots:
                started = True
                await self._starting(update)
                await coroutine
                await self._finished(update)
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while queued: no "never awaited" warning
            mine.set_result(None)
            if self._tails.get(key) is mine:
                del self._tails[key]

    async def _starting(self, update: object) -> None:
        if self.on_start is not None:
            await self.on_start(update)

    async def _finished(self, update: object) -> None:
        if self.on_done is None:
            return
        try:
            await self.on_done(update)
        except Exception:  # the answer went out; failing to note it only means a replay
            log.exception("could not mark an update done")

    async def initialize(self) -> None:
        """Nothing to allocate: the semaphore and the chains live with the instance."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for the update tasks itself before shutting down."""
