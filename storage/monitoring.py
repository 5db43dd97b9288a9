"""Read-only figures for ``/healthz`` and ``/metrics``, each a few rows however big the tables.

Why not ``COUNT(*) ... GROUP BY``: over big tables one scrape held the shared reader for a long
time, and scrapers in a loop made citizens wait. The counts come
from ``report_counts`` and ``outbox_counts``, kept by triggers in the transaction of each change
(migration 0010); the oldest undelivered row from the small ``outbox_undelivered`` index.

Backlog means rows not yet delivered (``pending``, or ``sending`` while in flight); its age is
that of the oldest such row, the number to alert on when delivery stalls. The inbox's waiting
updates and their oldest's age say the same of handling (a wedged process, a crash loop); the
live processes, whether all the processes meant to run are running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.backend import Backend
from storage.workers import gone_cutoff

UNDELIVERED = ("pending", "sending")


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest_age_seconds: float | None  # None when the outbox is empty


@dataclass(frozen=True)
class Snapshot:
    """Everything ``/metrics`` and ``/healthz`` show, read at one moment."""

    reports_by_status: dict[str, int]
    outbox_rows: list[tuple[str, str, int]]  # (state, kind, count), sorted
    oldest_undelivered_at: datetime | None
    #: Bot processes alive on this database (their heartbeats, storage/workers.py).
    processes: int = 1
    #: Updates received and not handled yet, and when the oldest of them came.
    inbox_waiting: int = 0
    oldest_waiting_at: datetime | None = None

    @property
    def backlog_count(self) -> int:
        return sum(n for state, _kind, n in self.outbox_rows if state in UNDELIVERED)

    def backlog(self, now: datetime) -> Backlog:
        """The backlog with its age at ``now`` (the age grows between two reads)."""
        count = self.backlog_count
        if not count or self.oldest_undelivered_at is None:
            return Backlog(count, None)
        return Backlog(count, max(0.0, (now - self.oldest_undelivered_at).total_seconds()))


class MonitoringRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def ping(self) -> None:
        """A trivial query: raises if the database cannot be read."""
        await self._db.fetchone("SELECT 1")

    async def snapshot(self) -> Snapshot:
        reports = await self._db.fetchall("SELECT status, n FROM report_counts ORDER BY status")
        outbox = await self._db.fetchall(
            "SELECT state, kind, n FROM outbox_counts ORDER BY state, kind"
        )
        oldest = await self._db.fetchone(
            f"SELECT created_at FROM outbox {self._db.dialect.index_hint('outbox_undelivered')}"
            " WHERE state IN ('pending', 'sending') ORDER BY created_at LIMIT 1"
        )
        processes = await self._db.fetchone(
            "SELECT COUNT(*) FROM workers WHERE seen_at >= ?", (gone_cutoff(datetime.now(UTC)),)
        )
        # The partial index inbox_unfinished holds only these rows: a few, unless stuck.
        waiting = await self._db.fetchone(
            "SELECT COUNT(*), MIN(received_at) FROM inbox WHERE done_at IS NULL"
        )
        return Snapshot(
            processes=int(processes[0]) if processes else 0,
            inbox_waiting=int(waiting[0]) if waiting else 0,
            oldest_waiting_at=(
                datetime.fromisoformat(waiting[1]) if waiting and waiting[1] else None
            ),
            reports_by_status={row["status"]: int(row["n"]) for row in reports},
            outbox_rows=[(row["state"], row["kind"], int(row["n"])) for row in outbox],
            oldest_undelivered_at=(
                datetime.fromisoformat(oldest["created_at"]) if oldest is not None else None
            ),
        )
