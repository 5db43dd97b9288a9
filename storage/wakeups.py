"""PostgreSQL's LISTEN/NOTIFY: a process is woken the moment another one writes work for it.

Why: several processes share the inbox and the outbox; without a wake-up, an update received by
one process would wait for the others' next poll (a second) before a free one took it. Triggers
(migration 0022) ``NOTIFY`` a channel when a statement inserts into ``inbox`` or ``outbox``; each
process keeps one connection that ``LISTEN``\\s and calls the wake-up for that channel. The
notification carries nothing (the row is read the normal way, claimed like any other), so a
lost one costs only the poll's delay: after a reconnect every wake-up is called once, for what
may have been missed meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0


class Wakeups:
    """Listens on ``channels`` (name → wake-up) for as long as it runs."""

    def __init__(self, url: str, channels: dict[str, Callable[[], None]]) -> None:
        self.url = url
        self.channels = channels
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="wakeups")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError) as error:
                log.warning("wake-ups: connection lost", extra={"error": str(error)})
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self) -> None:
        conn = await psycopg.AsyncConnection.connect(
            self.url, autocommit=True, application_name=f"wargalapor-{os.getpid()}-wake"
        )
        async with conn:
            for channel in self.channels:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            for wake in self.channels.values():  # whatever was written while not listening
                wake()
            async for notify in conn.notifies():
                wake_up = self.channels.get(notify.channel)
                if wake_up is not None:
                    wake_up()
