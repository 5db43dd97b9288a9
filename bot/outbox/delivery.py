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
from dataclasses import dataclass

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
from storage.citizens import CitizenState
from storage.outbox import OutboxRow

PAGE = 1000
#: Seconds of a broadcast page still to send when the next page is taken, so the next page is
#: ready when this one ends (taking one, due + claim + its audience, took 45-150 ms; the sends
#: stood still meanwhile, 10 % of a broadcast at 1,000 a second). Short, so a follow-up
#: written meanwhile still goes with the next page.
TAKE_AHEAD_SECONDS = 0.2


@dataclass(frozen=True)
class _Page:
    """Rows claimed for one pass. ``full``: the page held as many due rows as it could, so
    more are likely waiting."""

    rows: list[OutboxRow]
    full: bool
    audience: dict[int, CitizenState]


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
        #: The next page, taken while a broadcast page's last sends go out.
        self._ahead: asyncio.Task[_Page] | None = None

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
                await self._give_back_ahead()

    async def _recorded(self) -> None:
        """Wait for the last page's record of sends (see :meth:`_pass`)."""
        recording, self._recording = self._recording, None
        if recording is not None:
            await recording

    async def _give_back_ahead(self) -> None:
        """A page taken ahead that no pass will send (the bot is stopping, or a pass failed)
        goes back to pending: a live process's claimed rows are never recovered by others."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            try:
                page = await ahead
            except Exception:  # a failed claim claimed nothing; the pass's own error stands
                return
            await self.services.store.outbox.release([row.id for row in page.rows])

    async def _take(self) -> _Page:
        """Claim a page of due rows of this process's share, in sending order (about a second
        of broadcast), with the states of its broadcast's citizens (blocked, announcements off)."""
        outbox = self.services.store.outbox
        worker = self.services.worker
        size = max(10, min(PAGE, int(self.services.settings.broadcast_rate)))
        due = await outbox.due(limit=size, share=worker.share, worker_id=worker.worker_id)
        claimed = await outbox.claim([row.id for row in due], worker.worker_id)
        rows = [row for row in due if row.id in claimed]
        audience = await self.services.store.citizens.states(
            [row.chat_id for row in rows if row.broadcast_id is not None and row.chat_id > 0]
        )
        return _Page(rows, len(due) == size, audience)

    def _take_ahead_at(self, bulk: int) -> int:
        """The index of this page's broadcast send at which the next page is taken."""
        lead = max(1, int(self._broadcast.rate * TAKE_AHEAD_SECONDS))
        return max(0, bulk - lead)

    async def _pass(self) -> tuple[int, bool]:
        """One page of due rows. Follow-ups and alerts go chat by chat, in order within a chat
        and side by side across chats, so one group held back by Telegram's per-group limit
        never delays a citizen's follow-up. Broadcast rows follow at ``BROADCAST_RATE``; a page
        holds about a second of them, so a follow-up written meanwhile waits at most that."""
        ahead, self._ahead = self._ahead, None
        page = await ahead if ahead is not None else await self._take()
        by_chat: dict[int, list[OutboxRow]] = {}
        bulk = []
        for row in page.rows:
            if row.broadcast_id is not None:
                bulk.append(row)
            else:
                by_chat.setdefault(row.chat_id, []).append(row)
        handled = sum(await asyncio.gather(*(self._chat(chat) for chat in by_chat.values())))
        if bulk:
            handled += await self._broadcast_page(bulk, page)
        return handled, page.full

    async def _broadcast_page(self, bulk: list[OutboxRow], page: _Page) -> int:
        """A page's broadcast rows at the broadcast's pace, by as many senders as may be in
        flight, each taking the next row (a task per row was a thousand tasks a page to start
        at once, and the sends stood still meanwhile). The next page is taken ahead
        (``TAKE_AHEAD_SECONDS``) when this one is full."""
        self._out.broadcasts.clear()
        self._out.audience = page.audience
        sent: list[tuple[int, int | None]] = []
        ahead_at = self._take_ahead_at(len(bulk)) if page.full else None
        rows = iter(enumerate(bulk))
        handled = 0

        async def sender() -> None:
            nonlocal handled
            for index, row in rows:
                async with self._broadcast.slot():
                    if index == ahead_at and self.keep_going():
                        self._ahead = asyncio.ensure_future(self._take())
                    if await self._deliver(row, sent if self._batched else None):
                        handled += 1

        try:
            await asyncio.gather(*(sender() for _ in range(self._broadcast.concurrency)))
        finally:
            # Whatever happened to the page, what went out is recorded: never sent twice.
            # The record is written while the next page is sent (its rows are 'sending'
            # meanwhile, so no pass takes them again); drain() waits for it before it ends.
            await self._recorded()
            if sent:
                self._recording = asyncio.ensure_future(
                    self.services.store.outbox.mark_many_sent(sent)
                )
        return handled

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
