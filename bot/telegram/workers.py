"""This bot process among the others on the same database: joining, the heartbeat, leaving.

Why: any number of ``python -m bot`` processes may serve one bot from one PostgreSQL database,
each doing part of everything (storage/workers.py says how the parts are found). This module is
what a process does about it: at start it joins (and takes back what a gone process left in
flight), then every :data:`~storage.workers.HEARTBEAT_SECONDS` it says it is alive and learns
how many processes there are, which sets its part of Telegram's sending budget (the rate
limiter's and the broadcasts') and of the chats it sends to; at a clean stop it leaves, so its
claims are free at once. With several processes its updates come from the shared inbox
(bot/telegram/inbox_feeder.py), and PostgreSQL's notifications wake it for new work.

With SQLite there is one process: it joins and beats the same way (its share is everything),
and the inbox works as it always has.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application

from bot.outbox.delivery import Delivery
from bot.services import Services
from bot.telegram.context import BotContext
from bot.telegram.inbox import InboxQueue
from bot.telegram.rate_limiter import BotRateLimiter
from storage.wakeups import Wakeups
from storage.workers import HEARTBEAT_SECONDS

log = logging.getLogger(__name__)

BotApplication = Application[Any, BotContext, Any, Any, Any, Any]


class ThisProcess:
    """Joins at start (:meth:`join`), beats while running, leaves at stop (:meth:`leave`)."""

    def __init__(self, application: BotApplication, services: Services, inbox: InboxQueue) -> None:
        self.application = application
        self.services = services
        self.inbox = inbox
        self.delivery: Delivery | None = None
        self._wakeups: Wakeups | None = None

    @property
    def shared(self) -> bool:
        return self.services.store.db.shared_by_processes

    async def join(self) -> None:
        """Before any job or update: be seen, then take back what gone processes left."""
        store = self.services.store
        await self._beat()
        await store.outbox.recover()
        if not self.shared:
            self.inbox.attach(store.inbox)
            await self.inbox.replay(self.application.bot)  # before anything new is added
            return
        self.inbox.share(
            store.inbox,
            self.application.bot,
            self.services.worker.worker_id,
            capacity=self.services.settings.concurrent_updates,
        )
        feeder = self.inbox.feeder
        assert feeder is not None
        self._wakeups = store.db.wakeups(
            {"wargalapor_inbox": feeder.wake, "wargalapor_outbox": self.services.waker}
        )
        if self._wakeups is not None:
            self._wakeups.start()
        log.info(
            "sharing the work",
            extra={
                "worker": self.services.worker.worker_id,
                "processes": self.services.worker.share.count,
            },
        )

    def start_heartbeat(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self._apply()
        job_queue = self.application.job_queue
        assert job_queue is not None

        async def beat(_: BotContext) -> None:
            try:
                await self._beat()
                await self.services.store.outbox.recover()
            except Exception:  # the database is away; the next beat tries again
                log.exception("heartbeat failed")

        job_queue.run_repeating(
            beat, interval=HEARTBEAT_SECONDS, first=HEARTBEAT_SECONDS, name="heartbeat"
        )

    async def leave(self) -> None:
        """A clean stop: give back updates not started, stop listening, say goodbye."""
        if self.inbox.feeder is not None:
            await self.inbox.feeder.stop()
        if self._wakeups is not None:
            await self._wakeups.stop()
        try:
            await self.services.store.workers.leave(self.services.worker.worker_id)
        except Exception:  # gone is gone: the others find out by the heartbeat's absence
            log.exception("could not leave the shared work")

    async def _beat(self) -> None:
        worker = self.services.worker
        before = worker.share
        worker.share = await self.services.store.workers.beat(worker.worker_id, datetime.now(UTC))
        if worker.share != before:
            self._apply()
            if self.inbox.feeder is not None:
                self.inbox.feeder.wake()  # a gone process's updates may be free now

    def _apply(self) -> None:
        """The sending budget follows the number of processes."""
        count = self.services.worker.share.count
        limiter = self.application.bot.rate_limiter
        if isinstance(limiter, BotRateLimiter):
            limiter.share(count)
        if self.delivery is not None:
            self.delivery.share_rate(count)
