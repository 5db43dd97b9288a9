"""Several bot processes on one PostgreSQL database: which one long-polls Telegram.

Why: Telegram answers all but one of several ``getUpdates`` callers on one token with 409
Conflict, so in long-polling mode exactly one process polls and writes what it receives to the
inbox, from where every process takes its share (bot/telegram/inbox_feeder.py). If the poller
dies another must take over within seconds, or citizens wait. (With a webhook every process
accepts ``POST /telegram`` and no lease is needed.)

How: a PostgreSQL session advisory lock, held on a connection of its own for as long as the
process polls. PostgreSQL lets it go the moment that connection ends: the process exits or is
killed, its machine's socket closes, or, for a machine that vanished, the server's TCP
keepalives (set short on this connection) give up on it within about 15 s. The others ask again
every :data:`RETRY_SECONDS`. The poller checks its connection every :data:`WATCH_SECONDS`; if it
is lost (the database restarted), the lock may be someone else's now, so it stops polling and
asks again like the others.

The connection's ``application_name`` is ``wargalapor-<pid>-poll``, so ``pg_stat_activity`` (and
the tests) can tell which process polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)

#: The lock's key: any constant 64-bit number, the same in every process.
POLLING_LOCK_KEY = 0x5761726762
RETRY_SECONDS = 1.0
WATCH_SECONDS = 2.0


async def _connect(url: str) -> psycopg.AsyncConnection[tuple[object, ...]]:
    conn = await psycopg.AsyncConnection.connect(
        url,
        autocommit=True,
        application_name=f"wargalapor-{os.getpid()}-poll",
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=3,
        connect_timeout=10,
    )
    # The server's side of the keepalives: it drops a vanished machine's lock within ~15 s.
    for setting, value in (("idle", 5), ("interval", 2), ("count", 3)):
        await conn.execute(f"SET tcp_keepalives_{setting} = {value}")
    return conn


class PollingLease:
    """Held while this process polls; see the module docstring."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None

    async def acquire(self, stop: asyncio.Event, on_wait: Callable[[], None]) -> bool:
        """True once this process holds the lease; False if ``stop`` came first. ``on_wait``
        runs once if the lease is another's."""
        told = False
        while not stop.is_set():
            try:
                conn = self._conn or await _connect(self.url)
                self._conn = conn
                cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (POLLING_LOCK_KEY,))
                row = await cursor.fetchone()
                if row and row[0]:
                    return True
            except psycopg.OperationalError as error:
                log.warning("polling lease: cannot reach the database", extra={"error": str(error)})
                await self.release()
            if not told:
                on_wait()
                told = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RETRY_SECONDS)
        return False

    async def hold(self, stop: asyncio.Event) -> bool:
        """Return when ``stop`` is set (False) or the lease's connection broke (True: lost)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), WATCH_SECONDS)
            if stop.is_set():
                return False
            try:
                assert self._conn is not None
                await self._conn.execute("SELECT 1")
            except Exception as error:
                log.error("polling lease lost: polling stops", extra={"error": str(error)})
                await self.release()
                return True

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()  # ends the session, and with it the lock
