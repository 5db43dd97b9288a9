"""Reports as the public API reads them: public ones only, filtered, newest first, in pages.

Why a module of its own rather than more methods on the reports repository: these queries serve
one reader (Open311) with its own rules (visibility, paging, which notes are public), and keep
the citizen's id out of everything they return except the ``Report`` rows the caller maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database
from storage.reports import Report, _report


@dataclass(frozen=True)
class RequestFilter:
    """All optional; ``ids`` given means exactly those reports (Open311: it overrides the rest).
    Times are UTC ISO-8601 text, as stored."""

    ids: tuple[int, ...] | None = None
    category_key: str | None = None
    created_from: str | None = None
    created_until: str | None = None
    statuses: tuple[str, ...] | None = None


class PublicReportRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, report_id: int) -> Report | None:
        row = await self._db.fetchone(
            "SELECT * FROM reports WHERE id = ? AND visibility = 'public'", (report_id,)
        )
        return _report(row) if row else None

    async def search(self, where: RequestFilter, *, limit: int, offset: int) -> list[Report]:
        clauses = ["visibility = 'public'"]
        params: list[object] = []
        if where.ids is not None:
            clauses.append(f"id IN ({', '.join('?' for _ in where.ids)})")
            params.extend(where.ids)
        else:
            if where.category_key is not None:
                clauses.append("category_key = ?")
                params.append(where.category_key)
            if where.created_from is not None:
                clauses.append("created_at >= ?")
                params.append(where.created_from)
            if where.created_until is not None:
                clauses.append("created_at <= ?")
                params.append(where.created_until)
            if where.statuses is not None:
                clauses.append(f"status IN ({', '.join('?' for _ in where.statuses)})")
                params.extend(where.statuses)
        rows = await self._db.fetchall(
            f"SELECT * FROM reports WHERE {' AND '.join(clauses)}"
            " ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_report(row) for row in rows]

    async def latest_notes(self, report_ids: Sequence[int]) -> dict[int, str]:
        """Each report's latest note from staff (officers, admins, agencies, the system): the
        public notes the reporter was also told. A citizen's own words are left out."""
        if not report_ids:
            return {}
        marks = ", ".join("?" for _ in report_ids)
        rows = await self._db.fetchall(
            "SELECT report_id, note FROM report_events"
            f" WHERE report_id IN ({marks}) AND note IS NOT NULL AND note != ''"
            " AND actor_kind != 'citizen' ORDER BY id",
            list(report_ids),
        )
        return {int(row["report_id"]): row["note"] for row in rows}
