"""Several bot processes on one PostgreSQL database: one is active, the others stand by.

Why a lease and not every process at once: the processes would each long-poll the same token
(Telegram answers all but one with 409 Conflict), each run the sweeps, and each claim outbox
rows another has in flight after a restart. Until the work is shared between processes, the
active one does it all and the others wait to take over.

How: a PostgreSQL session advisory lock, held on a connection of its own for as long as the
process is active. PostgreSQL lets it go the moment that connection ends: the process exits or
is killed, its machine's socket closes, or, for a machine that vanished, the server's TCP
keepalives (set short on this connection) give up on it within about 15 s. A standby asks again
every :data:`RETRY_SECONDS`, so it takes over within seconds. The active process checks its
connection every :data:`WATCH_SECONDS`; if the connection is lost (the database restarted), the
lock may be someone else's now, so it stops itself (``on_lost``) and its service manager starts it
again, as a standby.

The connection's ``application_name`` is ``wargalapor-<pid>``, so ``pg_stat_activity`` (and the
tests) can tell which process is active.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)

#: The lock's key: any constant 64-bit number, the same in every process.
ACTIVE_LOCK_KEY = 0x5761726762
RETRY_SECONDS = 1.0
WATCH_SECONDS = 2.0


def _connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    conn = psycopg.connect(
        url,
        autocommit=True,
        application_name=f"wargalapor-{os.getpid()}",
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=3,
        connect_timeout=10,
    )
    # The server's side of the keepalives: it drops a vanished machine's lock within ~15 s.
    for setting, value in (("idle", 5), ("interval", 2), ("count", 3)):
        conn.execute(f"SET tcp_keepalives_{setting} = {value}")
    return conn


class ActiveLease:
    """Held while this process is the active one; see the module docstring."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._stop = threading.Event()
        #: Set when the lease's connection broke while this process was active.
        self.lost = False

    def wait(self, on_standby: Callable[[], None]) -> None:
        """Return once this process holds the lease; ``on_standby`` runs once if it must wait."""
        told = False
        while True:
            try:
                conn = self._conn or _connect(self.url)
                self._conn = conn
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", (ACTIVE_LOCK_KEY,)).fetchone()
                if row and row[0]:
                    return
            except psycopg.OperationalError as error:
                log.warning("active lease: cannot reach the database", extra={"error": str(error)})
                self._drop()
            if not told:
                on_standby()
                told = True
            time.sleep(RETRY_SECONDS)

    def watch(self, on_lost: Callable[[], None]) -> None:
        """Check the lease's connection in a thread of its own; ``on_lost`` if it breaks."""

        def check() -> None:
            while not self._stop.wait(WATCH_SECONDS):
                try:
                    assert self._conn is not None
                    self._conn.execute("SELECT 1")
                except Exception as error:
                    log.error("active lease lost: stopping", extra={"error": str(error)})
                    self.lost = True
                    on_lost()
                    return

        threading.Thread(target=check, name="active-lease", daemon=True).start()

    def release(self) -> None:
        self._stop.set()
        self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()  # ends the session, and with it the lock
