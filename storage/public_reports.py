"""Reports as the public API reads them: public ones only, and only the staff's notes.

Why a module of its own rather than more methods on the reports repository: these queries serve
one reader (Open311) with its own rules (visibility, which notes are public). Its lists go
through ``ReportRepository.search`` with ``ReportQuery(public_only=True)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Database, placeholders
from storage.reports import Report


class PublicReportRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, report_id: int) -> Report | None:
        row = await self._db.fetchone(
            "SELECT * FROM reports WHERE id = ? AND visibility = 'public'", (report_id,)
        )
        return Report.from_row(row) if row else None

    async def latest_notes(self, report_ids: Sequence[int]) -> dict[int, str]:
        """Each report's latest note from staff (officers, admins, agencies, the system): the
        public notes the reporter was also told. A citizen's own words are left out."""
        if not report_ids:
            return {}
        marks = placeholders(report_ids)
        rows = await self._db.fetchall(
            "SELECT report_id, note FROM report_events"
            f" WHERE report_id IN ({marks}) AND note IS NOT NULL AND note != ''"
            " AND actor_kind != 'citizen' ORDER BY id",
            list(report_ids),
        )
        return {int(row["report_id"]): row["note"] for row in rows}
