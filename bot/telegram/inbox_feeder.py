"""Several processes on one database: each takes the updates it will handle from the inbox.

Why: with several ``python -m bot`` processes behind one bot (PostgreSQL), the process that
received an update (the poller, or whichever the load balancer chose for a webhook call) is not
necessarily free, and a chat's updates must still run strictly in order even when two of them
land in different processes. So a received update only goes into the ``inbox`` table, and every
process takes updates from there as it has room (:meth:`storage.inbox.InboxRepository.claim`:
only a chat's oldest unfinished update, ``SKIP LOCKED``), hands them to PTB through the queue,
and marks them done when their handlers have finished; the chat's next update can then be taken,
by this process or another.

Wake-ups: a new update wakes this process's feeder at once (it was received here), and every
other process by PostgreSQL's ``NOTIFY`` (bot/telegram/wakeups.py); a steady poll every
:data:`POLL_SECONDS` catches anything else (a gone process's updates, a chat whose earlier update
finished elsewhere).

A process that dies leaves its claims; once it is gone (storage/workers.py) they are taken over.
Each take counts an attempt, and an update taken :data:`~bot.telegram.inbox.MAX_ATTEMPTS` times
without finishing is given up, as at a single process's restart: it is what kills the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from telegram import Bot, Update

from storage.inbox import InboxRepository, PendingUpdate

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
#: Updates this process received and may take itself, kept as parsed (no second parse, and
#: everything Telegram sent); an update another process takes is dropped from here later.
_KEEP_RECEIVED = 2_000


class InboxFeeder:
    """Takes this process's updates from the shared inbox (see the module docstring)."""

    def __init__(
        self,
        inbox: InboxRepository,
        bot: Bot,
        worker_id: str,
        deliver: Callable[[Update], Awaitable[None]],
        *,
        capacity: int,
        max_attempts: int,
    ) -> None:
        self.inbox = inbox
        self.bot = bot
        self.worker_id = worker_id
        self.capacity = capacity
        self.max_attempts = max_attempts
        self._deliver = deliver
        self._wake = asyncio.Event()
        self._held: set[int] = set()  # taken by this process, not done
        self._started: set[int] = set()  # ... and their handlers have begun
        self._received: OrderedDict[int, Update] = OrderedDict()
        self._task: asyncio.Task[None] | None = None

    def received(self, update: Update) -> None:
        """An update this process wrote to the inbox: take it soon, as parsed."""
        self._received[update.update_id] = update
        while len(self._received) > _KEEP_RECEIVED:
            self._received.popitem(last=False)
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="inbox-feeder")

    async def stop(self) -> None:
        """Stop taking updates, and give back those taken but never started."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        waiting = sorted(self._held - self._started)
        if waiting:
            try:
                await self.inbox.unclaim(self.worker_id, waiting)
            except Exception:  # they are taken over once this process is gone anyway
                log.exception("could not give back updates")

    def starting(self, update: object) -> None:
        if isinstance(update, Update):
            self._started.add(update.update_id)

    async def done(self, update: object) -> None:
        if not isinstance(update, Update):
            return
        await self.inbox.done(update.update_id)
        self._held.discard(update.update_id)
        self._started.discard(update.update_id)
        self.wake()  # the chat's next update can be taken now

    @property
    def held(self) -> int:
        return len(self._held)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()
            try:
                await self._take()
            except Exception:  # the database is away: try again at the next wake or poll
                log.exception("could not take updates from the inbox")

    async def _take(self) -> None:
        while (room := self.capacity - len(self._held)) > 0:
            taken = await self.inbox.claim(self.worker_id, datetime.now(UTC), room)
            if not taken:
                return
            poison = [p.update_id for p in taken if p.attempts > self.max_attempts]
            if poison:
                log.error("updates given up after repeated crashes", extra={"update_ids": poison})
                await self.inbox.give_up(poison, just_taken=True)
            for pending in taken:
                if pending.update_id in poison:
                    continue
                try:
                    update = self._update(pending)
                except Exception:  # a row no handler could read: never taken again
                    log.exception("unreadable update given up", extra={"id": pending.update_id})
                    await self.inbox.give_up([pending.update_id], just_taken=True)
                    continue
                self._held.add(pending.update_id)
                await self._deliver(update)
            if len(taken) < room:
                return

    def _update(self, pending: PendingUpdate) -> Update:
        mine = self._received.pop(pending.update_id, None)
        if mine is not None:
            return mine
        return Update.de_json(json.loads(pending.payload), self.bot)
