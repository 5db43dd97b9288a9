"""Reports as the public API reads them: published ones only, and only the staff's notes.

Why a module of its own rather than more methods on the reports repository: these queries serve
one reader (Open311) with its own rules (visibility, which notes are public). Its lists go
through ``ReportRepository.search`` with ``ReportQuery(visibilities=…)``. Which modes are
published is the caller's (``published``: bot.domain.privacy.PUBLISHED, on every read); a
report in any other mode (confidential) is not there at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from storage.backend import Backend, Row
from storage.report_query import AgencyReach, reach_clause
from storage.reports import Report
from storage.sqltext import placeholders


@dataclass(frozen=True)
class PublicUpdate:
    """One public change of a report: a status change, or a staff member's note or photo.
    A citizen's own words and photos are left out (``note`` and ``photo_id`` None)."""

    event_id: int
    report_id: int
    at: str
    old_status: str
    new_status: str
    note: str | None
    photo_id: int | None  # report_photos.id of the event's photo
    duplicate_of: int | None

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


_UPDATES = (
    "SELECT e.id AS event_id, e.report_id, e.at, e.old_status, e.new_status,"
    " CASE WHEN e.actor_kind = 'citizen' THEN NULL ELSE e.note END AS note,"
    " CASE WHEN e.actor_kind = 'citizen' THEN NULL ELSE (SELECT p.id FROM report_photos p"
    "   WHERE p.report_id = e.report_id AND p.file_id = e.photo_file_id ORDER BY p.id LIMIT 1)"
    " END AS photo_id, r.duplicate_of"
    " FROM report_events e JOIN reports r ON r.id = e.report_id"
    " WHERE r.visibility IN ({published}) AND e.old_status IS NOT NULL"
    " AND (e.old_status != e.new_status OR (e.actor_kind != 'citizen'"
    "   AND (COALESCE(e.note, '') != '' OR e.photo_file_id IS NOT NULL)))"
)


class PublicReportRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def get(self, report_id: int, *, published: Sequence[str]) -> Report | None:
        """The report when its mode is one of ``published``."""
        if not published:
            return None
        row = await self._db.fetchone(
            f"SELECT * FROM reports WHERE id = ? AND visibility IN ({placeholders(published)})",
            (report_id, *published),
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

    async def updates(
        self,
        *,
        start: str | None,
        end: str | None,
        restricted_categories: Sequence[str],
        restricted_areas: Sequence[str] | None,
        published: Sequence[str],
        limit: int,
        agencies: tuple[AgencyReach, ...] | None = None,
        offset: int = 0,
    ) -> list[PublicUpdate]:
        """Public changes made from ``start`` to ``end`` (UTC ISO text, either None for open),
        oldest first; a report in ``restricted_categories`` counts only in ``restricted_areas``
        (None: anywhere), as :class:`storage.report_query.ReportQuery` has it; ``agencies``:
        only the reports those agencies handle (an agency's key), None: no such bound."""
        if not published:
            return []
        sql = _UPDATES.format(published=placeholders(published))
        params: list[object] = list(published)
        if start is not None:
            sql += " AND e.at >= ?"
            params.append(start)
        if end is not None:
            sql += " AND e.at <= ?"
            params.append(end)
        if restricted_categories and restricted_areas is not None:
            restricted = f"r.category_key NOT IN ({placeholders(restricted_categories)})"
            params.extend(restricted_categories)
            if restricted_areas:
                restricted = f"({restricted} OR r.area_code IN ({placeholders(restricted_areas)}))"
                params.extend(restricted_areas)
            sql += f" AND {restricted}"
        if agencies is not None:
            reached, reach_params = reach_clause(agencies, "r.")
            sql += f" AND {reached}"
            params.extend(reach_params)
        rows = await self._db.fetchall(
            sql + " ORDER BY e.id LIMIT ? OFFSET ?", (*params, limit, offset)
        )
        return [PublicUpdate.from_row(row) for row in rows]

    async def first_photos(self, report_ids: Sequence[int]) -> dict[int, int]:
        """Each report's first photo from its reporter (``report_photos.id``), where it has one:
        the request's ``media_url``."""
        if not report_ids:
            return {}
        rows = await self._db.fetchall(
            "SELECT report_id, id FROM report_photos"
            f" WHERE report_id IN ({placeholders(report_ids)}) AND role = 'citizen'"
            " ORDER BY report_id, position, id",
            list(report_ids),
        )
        first: dict[int, int] = {}
        for row in rows:
            first.setdefault(int(row["report_id"]), int(row["id"]))
        return first

    async def photo(self, photo_id: int, *, published: Sequence[str]) -> tuple[Report, str] | None:
        """A photo of a published report, with that report (whose visibility rules it
        follows)."""
        row = await self._db.fetchone(
            "SELECT file_id, report_id FROM report_photos WHERE id = ?", (photo_id,)
        )
        if row is None:
            return None
        report = await self.get(int(row["report_id"]), published=published)
        return (report, str(row["file_id"])) if report is not None else None
