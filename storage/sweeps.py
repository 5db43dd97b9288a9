"""The due-at queries behind the scheduler's sweeps; each sweep marks what it did in the same
transaction as the messages it enqueues, so running it twice (or after a crash) repeats nothing.

Which statuses a sweep looks at (waiting for acknowledgement, resolved and waiting for the
reporter) is the domain's rule (``bot.domain.statuses``): each query receives its set.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.backend import Backend, Connection
from storage.outbox import OutboxMessage, enqueue
from storage.reports import Report
from storage.sqltext import iso, placeholders


class SweepRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def overdue(
        self, now: datetime, *, factor: float, column: str, waiting: tuple[str, ...]
    ) -> list[Report]:
        """Reports in ``waiting`` longer than ``factor`` × their category's SLA with ``column``
        (reminded_at or escalated_at) still empty."""
        if column not in ("reminded_at", "escalated_at"):
            raise ValueError(column)
        if not waiting:
            return []
        rows = await self._db.fetchall(
            "SELECT r.* FROM reports r JOIN categories c ON c.key = r.category_key"
            f" WHERE r.status IN ({placeholders(waiting)}) AND r.{column} IS NULL"
            f" AND {self._db.dialect.seconds_between('?', 'r.sla_started_at')}"
            " >= c.sla_hours * 3600.0 * ?"
            " ORDER BY r.id",
            (*waiting, iso(now), factor),
        )
        return [Report.from_row(row) for row in rows]

    async def mark(
        self, report_id: int, column: str, now: datetime, messages: list[OutboxMessage]
    ) -> None:
        if column not in ("reminded_at", "escalated_at", "survey_sent_at"):
            raise ValueError(column)
        async with self._db.transaction() as conn:
            await conn.execute(
                f"UPDATE reports SET {column} = ? WHERE id = ? AND {column} IS NULL",
                (iso(now), report_id),
            )
            for message in messages:
                await enqueue(conn, message)

    async def survey_due(
        self, now: datetime, *, after_hours: float, resolved: tuple[str, ...]
    ) -> list[Report]:
        """Reports in ``resolved`` for ``after_hours`` whose reporter was not asked yet."""
        if not resolved:
            return []
        rows = await self._db.fetchall(
            f"SELECT * FROM reports WHERE status IN ({placeholders(resolved)})"
            " AND survey_sent_at IS NULL AND resolved_at <= ?"
            # Only reporters we can ask: not blocked, and not the stand-in for agency reports.
            " AND citizen_id IN (SELECT user_id FROM citizens"
            " WHERE blocked_at IS NULL AND banned_at IS NULL) ORDER BY id",
            (*resolved, iso(now - timedelta(hours=after_hours))),
        )
        return [Report.from_row(row) for row in rows]

    async def close_due(
        self, now: datetime, *, after_days: float, resolved: tuple[str, ...]
    ) -> list[Report]:
        """Reports in ``resolved`` for ``after_days``: the reporter did not answer."""
        if not resolved:
            return []
        rows = await self._db.fetchall(
            f"SELECT * FROM reports WHERE status IN ({placeholders(resolved)})"
            " AND resolved_at <= ? ORDER BY id",
            (*resolved, iso(now - timedelta(days=after_days))),
        )
        return [Report.from_row(row) for row in rows]


async def restart_sla_in(conn: Connection, report_id: int, now: str) -> None:
    """A reopened report waits for an officer again: a new SLA period, new reminders."""
    await conn.execute(
        "UPDATE reports SET sla_started_at = ?, reminded_at = NULL, escalated_at = NULL,"
        " survey_sent_at = NULL WHERE id = ?",
        (now, report_id),
    )
