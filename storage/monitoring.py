"""Read-only figures for ``/healthz`` and ``/metrics``: cheap aggregates over the shared reader.

Backlog means rows not yet delivered (``pending``, or ``sending`` while in flight); its age is
that of the oldest such row, the number to alert on when delivery stalls.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest_age_seconds: float | None  # None when the outbox is empty


class MonitoringRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def ping(self) -> None:
        """A trivial query: raises if the database cannot be read."""
        await self._db.fetchone("SELECT 1")

    async def backlog(self) -> Backlog:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n,"
            " (julianday('now') - julianday(MIN(created_at))) * 86400 AS age"
            " FROM outbox WHERE state IN ('pending', 'sending')"
        )
        if row is None or not row["n"]:
            return Backlog(0, None)
        return Backlog(int(row["n"]), max(0.0, float(row["age"])))

    async def reports_by_status(self) -> dict[str, int]:
        rows = await self._db.fetchall(
            "SELECT status, COUNT(*) AS n FROM reports GROUP BY status ORDER BY status"
        )
        return {row["status"]: int(row["n"]) for row in rows}

    async def outbox_by_state_and_kind(self) -> list[tuple[str, str, int]]:
        rows = await self._db.fetchall(
            "SELECT state, kind, COUNT(*) AS n FROM outbox GROUP BY state, kind"
            " ORDER BY state, kind"
        )
        return [(row["state"], row["kind"], int(row["n"])) for row in rows]
