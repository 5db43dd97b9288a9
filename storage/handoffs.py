"""The hand-offs of a report ("bukan wewenang kami"): who had it, who has it, and why.

Why a table beside report_events: the event tells the followers and shows on the card; this row
keeps the two owners by name as they were then, for the case's history and exports, even after
an agency is removed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from storage.backend import Backend, Connection, Row
from storage.sqltext import utc_now


@dataclass(frozen=True)
class HandoffRow:
    id: int
    report_id: int
    event_id: int
    from_owner: str
    to_owner: str
    to_agency: int | None
    to_area: str | None
    note: str
    actor_kind: str
    actor_id: int | None
    created_at: str

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


async def record_in(
    conn: Connection,
    report_id: int,
    event_id: int,
    *,
    owners: tuple[str, str],
    to_agency: int | None,
    to_area: str | None,
    note: str,
    actor: tuple[str, int | None],
) -> None:
    await conn.execute(
        "INSERT INTO handoffs (report_id, event_id, from_owner, to_owner, to_agency, to_area,"
        " note, actor_kind, actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (report_id, event_id, *owners, to_agency, to_area, note, *actor, utc_now()),
    )


async def set_owner_in(
    conn: Connection, report_id: int, agency_id: int | None, area_code: str | None
) -> None:
    await conn.execute(
        "UPDATE reports SET agency_id = ?, area_code = ?, updated_at = ? WHERE id = ?",
        (agency_id, area_code, utc_now(), report_id),
    )


class HandoffRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def of_report(self, report_id: int) -> list[HandoffRow]:
        rows = await self._db.fetchall(
            "SELECT * FROM handoffs WHERE report_id = ? ORDER BY id", (report_id,)
        )
        return [HandoffRow.from_row(row) for row in rows]
