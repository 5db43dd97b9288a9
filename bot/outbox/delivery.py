"""The pump: claims due outbox rows, sends them through the senders, and records the outcome.

Runs as a PTB JobQueue (APScheduler) job every ``OUTBOX_POLL_SECONDS`` and is woken at once by
any change made in this process. Rows for one chat go strictly in order: once a row for a chat
has to wait, the rest of that chat's rows wait with it, so an alert's card never lands before
its photos and a citizen never reads "resolved" before "acknowledged".

How fast it sends is bot/outbox/pacing.py's, what a failure means bot/outbox/policy.py's, and
what each kind of row sends bot/outbox/senders.py's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from telegram import Bot

from bot.outbox.pacing import (
    CHAT_CONCURRENCY,
    BroadcastPacing,
    PrivatePacing,
    after,
    records_in_batches,
)
from bot.outbox.policy import ErrorPolicy
from bot.outbox.senders import send
from bot.outbox.sending import Outgoing
from bot.services import Services
from storage.outbox import OutboxRow

PAGE = 1000


class Delivery:
    """This process's outbox pump: one per bot, :meth:`drain` run by the JobQueue and by every
    wake-up; a lock keeps its passes one at a time, so no row is claimed twice from here."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self._lock = asyncio.Lock()
        self._again = False
        self._private = PrivatePacing()
        self._broadcast = BroadcastPacing(services.settings.broadcast_rate)
        self._batched = records_in_batches(services.settings.broadcast_rate)
        self._chat_slots = asyncio.Semaphore(CHAT_CONCURRENCY)
        self._out = Outgoing(bot, services, self._pass_again)
        self._policy = ErrorPolicy(services, self._pass_again)
        self.schedule_wake: Callable[[float], None] = lambda _seconds: None
        #: False once the bot is stopping: a drain ends after its current page instead of
        #: sending a whole queued broadcast first (the stop waits for the running drain, and
        #: rows left pending are sent by the next start).
        self.keep_going: Callable[[], bool] = lambda: True
        #: A broadcast page's sends being recorded while the next page goes out.
        self._recording: asyncio.Task[None] | None = None

    def share_rate(self, processes: int) -> None:
        """Several processes send broadcasts side by side: each at its part of the rate."""
        rate = self.services.settings.broadcast_rate / max(1, processes)
        if rate != self._broadcast.rate:
            self._broadcast = BroadcastPacing(rate)

    def _pass_again(self) -> None:
        """Rows became due during this pass (written by a sender or the policy): pass again."""
        self._again = True

    async def drain(self) -> int:
        """Send every due row; returns how many were handled. Safe to call concurrently."""
        if self._lock.locked():
            self._again = True
            return 0
        handled = 0
        async with self._lock:
            try:
                while True:
                    self._again = False
                    done, full = await self._pass()
                    handled += done
                    if not (self._again or full) or not self.keep_going():
                        return handled
            finally:
                await self._recorded()

    async def _recorded(self) -> None:
        """Wait for the last page's record of sends (see :meth:`_pass`)."""
        recording, self._recording = self._recording, None
        if recording is not None:
            await recording

    async def _pass(self) -> tuple[int, bool]:
        """One page of due rows. Follow-ups and alerts go chat by chat, in order within a chat
        and side by side across chats, so one group held back by Telegram's per-group limit
        never delays a citizen's follow-up. Broadcast rows follow at ``BROADCAST_RATE``; a page
        holds about a second of them, so a follow-up written meanwhile waits at most that."""
        outbox = self.services.store.outbox
        page = max(10, min(PAGE, int(self.services.settings.broadcast_rate)))
        worker = self.services.worker
        rows = await outbox.due(limit=page, share=worker.share, worker_id=worker.worker_id)
        claimed = await outbox.claim([row.id for row in rows], worker.worker_id)
        by_chat: dict[int, list[OutboxRow]] = {}
        bulk = []
        for row in rows:
            if row.id not in claimed:
                continue
            if row.broadcast_id is not None:
                bulk.append(row)
            else:
                by_chat.setdefault(row.chat_id, []).append(row)
        handled = sum(await asyncio.gather(*(self._chat(chat) for chat in by_chat.values())))
        if bulk:
            self._out.broadcasts.clear()
            self._out.audience = await self.services.store.citizens.states(
                [row.chat_id for row in bulk if row.chat_id > 0]
            )
            sent: list[tuple[int, int | None]] = []
            try:
                results = await asyncio.gather(*(self._throttled(row, sent) for row in bulk))
            finally:
                # Whatever happened to the page, what went out is recorded: never sent twice.
                # The record is written while the next page is sent (its rows are 'sending'
                # meanwhile, so no pass takes them again); drain() waits for it before it ends.
                await self._recorded()
                if sent:
                    self._recording = asyncio.ensure_future(
                        self.services.store.outbox.mark_many_sent(sent)
                    )
            handled += sum(results)
        return handled, len(rows) == page

    async def _chat(self, rows: list[OutboxRow]) -> int:
        """One chat's rows in order. A row that must wait (a retry, or Telegram's one message
        a second to a private chat) holds back the rest of the chat's rows with it."""
        outbox = self.services.store.outbox
        handled = 0
        async with self._chat_slots:
            for index, row in enumerate(rows):
                wait = self._private.wait(row.chat_id)
                if wait > 0:
                    await outbox.postpone([r.id for r in rows[index:]], after(wait))
                    self.schedule_wake(wait)
                    break
                if not await self._deliver(row):
                    await outbox.release([r.id for r in rows[index + 1 :]])
                    break
                handled += 1
                self._private.spent(row.chat_id)
        return handled

    async def _throttled(self, row: OutboxRow, sent: list[tuple[int, int | None]]) -> bool:
        async with self._broadcast.slot():
            return await self._deliver(row, sent if self._batched else None)

    async def _deliver(
        self, row: OutboxRow, sent: list[tuple[int, int | None]] | None = None
    ) -> bool:
        """Send one row and record the outcome. With ``sent``, a success is collected there for
        the caller to record in a batch (broadcasts above Telegram's rates only). False when
        the rest of the row's chat must wait behind it."""
        try:
            message_id = await send(self._out, row)
        except Exception as error:  # one bad row must not stop the others
            return await self._policy.settle(row, error)
        if sent is not None:
            sent.append((row.id, message_id))  # recorded with the rest of the page
            return True
        await self.services.store.outbox.mark_sent(row.id, message_id)
        return True
