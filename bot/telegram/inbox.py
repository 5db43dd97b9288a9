"""Every update is on disk before Telegram is told it arrived, and replayed if never handled.

Why: long polling confirms a batch to Telegram when it asks for the next one -- right after the
batch is queued, long before it is handled -- and a webhook confirms with its 200 at once. A
process killed in between lost what the citizen had just sent (a photo, the tap on "Kirim"),
with no answer and no way for them to know.

How: both the poller and the webhook put each update on the application's update queue before
confirming it, so the queue is the one door. :class:`InboxQueue` writes the update to the
``inbox`` table on its way in (a known update id is Telegram sending it again: dropped), and the
update processor marks it done once its handler has finished. At start-up :meth:`replay` queues
what was never finished, oldest first, ahead of anything new. A replay is counted when its
handlers start (not when it is queued: a bot killed again while working through a backlog has not
tried the updates still waiting), and one whose handlers were started ``MAX_ATTEMPTS`` times
without finishing is given up: it is what kills the bot.

A crash between a handler finishing and its "done" being written repeats that one update on
restart: at least once, like the outbox.

Several processes on one database (PostgreSQL): the update is only written here, and each
process takes its updates from the table instead (bot/telegram/inbox_feeder.py), so nothing is
replayed at start: a gone process's updates are simply taken over.

Privacy: only what replaying needs is written (bot/telegram/inbox_privacy.py: no phone numbers, no
forwarded or quoted strangers), the payload is emptied as soon as the update is handled, and the
bare row (its id tells Telegram's redelivery from news) goes with the retention sweep
(bot/domain/retention.py, ``RETENTION_DAYS``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram import Bot, Update

from bot.telegram.inbox_feeder import InboxFeeder
from bot.telegram.inbox_privacy import for_replay
from bot.telegram.update_processor import ordering_key
from storage.inbox import InboxRepository

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class InboxQueue(asyncio.Queue[Any]):
    """The application's update queue, persisting updates on ``put`` once attached."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: InboxRepository | None = None
        self._replaying: set[int] = set()
        #: Set when several processes share the database: updates are taken from the table.
        self.feeder: InboxFeeder | None = None

    def attach(self, inbox: InboxRepository) -> None:
        self.inbox = inbox

    def share(self, inbox: InboxRepository, bot: Bot, worker_id: str, capacity: int) -> None:
        """Several processes: received updates only go to the table; the feeder takes them."""
        self.inbox = inbox
        self.feeder = InboxFeeder(
            inbox, bot, worker_id, super().put, capacity=capacity, max_attempts=MAX_ATTEMPTS
        )
        self.feeder.start()

    async def put(self, item: Any) -> None:
        if self.inbox is not None and isinstance(item, Update):
            try:
                fresh = await self.inbox.receive(
                    item.update_id, json.dumps(for_replay(item.to_dict())), ordering_key(item)
                )
            except Exception:  # a full disk must not stop the bot from answering
                log.exception("could not keep an update", extra={"update_id": item.update_id})
                if self.feeder is not None:
                    raise  # not in the table: no process would ever take it; Telegram resends
            else:
                if not fresh:
                    log.info("update received again", extra={"update_id": item.update_id})
                    return
                if self.feeder is not None:
                    self.feeder.received(item)
                    return
        await super().put(item)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates never finished before the last stop; returns how many."""
        inbox = self.inbox
        if inbox is None or self.feeder is not None:
            return 0
        pending = await inbox.unfinished()
        poison = [p.update_id for p in pending if p.attempts >= MAX_ATTEMPTS]
        if poison:
            log.error("updates given up after repeated crashes", extra={"update_ids": poison})
            await inbox.give_up(poison)
        again = [p for p in pending if p.attempts < MAX_ATTEMPTS]
        self._replaying = {p.update_id for p in again}
        for item in again:
            update = Update.de_json(json.loads(item.payload), bot)
            await super().put(update)
        if again:
            log.info("updates replayed", extra={"count": len(again)})
        return len(again)

    async def starting(self, update: object) -> None:
        """A replayed update's handlers are about to run: count the attempt first."""
        if self.feeder is not None:
            self.feeder.starting(update)
            return
        if not isinstance(update, Update) or update.update_id not in self._replaying:
            return
        self._replaying.discard(update.update_id)
        if self.inbox is not None:
            await self.inbox.begin_replay([update.update_id])

    async def done(self, update: object) -> None:
        """The update's handlers have finished (or failed and been reported): not replayed."""
        if self.feeder is not None:
            await self.feeder.done(update)
        elif self.inbox is not None and isinstance(update, Update):
            await self.inbox.done(update.update_id)
