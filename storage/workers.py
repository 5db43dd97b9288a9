"""The bot processes sharing one database, and the jobs only one of them may run at a time.

Why: on PostgreSQL any number of ``python -m bot`` processes serve one city. Each claims work
(inbox updates, outbox rows) under its own ``worker_id``, and a process that dies must not keep
its claims: the others take them over once it is *gone*. Gone means not seen for
:data:`GONE_AFTER_SECONDS` (its heartbeat every :data:`HEARTBEAT_SECONDS` stopped: a crash, a
vanished machine, a stalled one), or, sooner, a process on this very machine whose pid no longer
exists (a restart after ``kill -9`` takes its predecessor's work back at once, not after the
timeout). A clean stop deletes its own row, so its claims are free the same moment.

Times are the processes' clocks in UTC, as every other time in the database: machines sharing a
database keep them in step with NTP, and the margins here (seconds) are far above its error.

A lease (``leases``) is a named job held by one worker until ``expires_at``; the holder renews it
each time it runs the job, and anyone may take a lease that has expired or whose holder is gone.
"""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from storage.backend import Backend
from storage.sqltext import iso

HEARTBEAT_SECONDS = 2.0
GONE_AFTER_SECONDS = 10.0
#: A gone process's row is kept this long (its claims are free anyway), for the operator's view.
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Share:
    """This process's part of the work: it sends to the chats whose ``abs(id) % count`` is
    ``slot`` (each chat has one sender, so Telegram's per-chat limits hold), at ``1/count`` of
    the bot's rate."""

    count: int = 1
    slot: int = 0


#: One process: everything is its share.
WHOLE = Share()


@dataclass
class WorkerState:
    """This process as the others see it: its id, and its share as of its last heartbeat."""

    worker_id: str
    share: Share = WHOLE


@lru_cache(maxsize=1)
def this_machine() -> str:
    """The host name and this boot's id: two machines never share it, and pids are only
    comparable within it."""
    boot = ""
    with contextlib.suppress(OSError):
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()[:8]
    return f"{socket.gethostname()}/{boot}" if boot else socket.gethostname()


def new_worker_id(now: datetime) -> str:
    """Unique per process start: the machine, the pid and the start time."""
    return f"{this_machine()}:{os.getpid()}:{now.strftime('%Y%m%dT%H%M%S.%f')}"


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: alive
        return False
    return False


class WorkersRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def register(self, worker_id: str, now: datetime) -> None:
        """Join (or rejoin, after a stall long enough to be taken for gone)."""
        async with self._db.transaction(exclusive=False) as conn:
            await conn.execute(
                "INSERT INTO workers (worker_id, pid, host, started_at, seen_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (worker_id) DO UPDATE SET seen_at = excluded.seen_at",
                (worker_id, os.getpid(), this_machine(), iso(now), iso(now)),
            )

    async def beat(self, worker_id: str, now: datetime) -> Share:
        """Say this process is alive, forget gone ones, and return its share of the work."""
        await self.register(worker_id, now)
        await self._bury_local(worker_id, now)
        live = await self.live(now)
        if worker_id not in live:  # cannot happen after register, but never divide by zero
            live = sorted([*live, worker_id])
        return Share(count=len(live), slot=live.index(worker_id))

    async def live(self, now: datetime) -> list[str]:
        rows = await self._db.fetchall(
            "SELECT worker_id FROM workers WHERE seen_at >= ? ORDER BY worker_id",
            (iso(now - timedelta(seconds=GONE_AFTER_SECONDS)),),
        )
        return [str(row[0]) for row in rows]

    async def leave(self, worker_id: str) -> None:
        """A clean stop: this process's claims are free at once."""
        async with self._db.transaction(exclusive=False) as conn:
            await conn.execute("DELETE FROM workers WHERE worker_id = ?", (worker_id,))

    async def _bury_local(self, worker_id: str, now: datetime) -> None:
        """Processes of this machine whose pid is gone are gone now (see the module docstring);
        rows not seen for :data:`FORGET_AFTER` are deleted."""
        rows = await self._db.fetchall(
            "SELECT worker_id, pid FROM workers WHERE host = ? AND worker_id <> ?",
            (this_machine(), worker_id),
        )
        # A row of this very pid is an earlier bot of this process (one bot per process), so
        # it is gone too: a restart in place (the tests do it) must not see two processes.
        mine = os.getpid()
        dead = [str(r[0]) for r in rows if int(r[1]) == mine or _pid_gone(int(r[1]))]
        async with self._db.transaction(exclusive=False) as conn:
            if dead:
                await conn.executemany(
                    "DELETE FROM workers WHERE worker_id = ?", [(worker,) for worker in dead]
                )
            await conn.execute("DELETE FROM workers WHERE seen_at < ?", (iso(now - FORGET_AFTER),))


def holder_gone(column: str = "claimed_by") -> str:
    """The SQL condition "the worker in ``column`` is gone"; its one parameter is the cut-off
    (:func:`gone_cutoff`)."""
    return f"NOT EXISTS (SELECT 1 FROM workers w WHERE w.worker_id = {column} AND w.seen_at >= ?)"


def gone_cutoff(now: datetime) -> str:
    return iso(now - timedelta(seconds=GONE_AFTER_SECONDS))


class LeasesRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def hold(self, name: str, worker_id: str, now: datetime, seconds: float) -> bool:
        """Take or renew the lease ``name`` for ``seconds``; False while another live worker
        holds it."""
        until = iso(now + timedelta(seconds=seconds))
        async with self._db.transaction(exclusive=False) as conn:
            cursor = await conn.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                " expires_at = excluded.expires_at"
                " WHERE leases.holder = excluded.holder OR leases.expires_at < ?"
                " OR NOT EXISTS (SELECT 1 FROM workers w WHERE w.worker_id = leases.holder"
                " AND w.seen_at >= ?)",
                (name, worker_id, until, iso(now), gone_cutoff(now)),
            )
            return cursor.rowcount == 1

    async def release(self, name: str, worker_id: str) -> None:
        async with self._db.transaction(exclusive=False) as conn:
            await conn.execute(
                "DELETE FROM leases WHERE name = ? AND holder = ?", (name, worker_id)
            )
