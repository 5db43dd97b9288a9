"""Reports, their photos and their append-only event history.

The report row is a projection of its events: every write here that changes a report also appends
the event that explains it, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, utc_now
from storage.drafts import Draft


@dataclass(frozen=True)
class Report:
    id: int
    citizen_id: int
    category_key: str
    lat: float
    lon: float
    place_name: str | None
    address: str | None
    area_code: str | None
    description: str
    status: str
    visibility: str
    created_at: str
    updated_at: str
    acknowledged_at: str | None
    resolved_at: str | None
    duplicate_of: int | None
    supporters: int


@dataclass(frozen=True)
class ReportPhoto:
    report_id: int
    position: int
    file_id: str
    file_unique_id: str
    role: str


@dataclass(frozen=True)
class ReportEvent:
    id: int
    report_id: int
    at: str
    actor_kind: str
    actor_id: int | None
    old_status: str | None
    new_status: str
    note: str | None
    photo_file_id: str | None


def _report(row: aiosqlite.Row) -> Report:
    return Report(**{name: row[name] for name in Report.__dataclass_fields__})


def _photo(row: aiosqlite.Row) -> ReportPhoto:
    return ReportPhoto(**{name: row[name] for name in ReportPhoto.__dataclass_fields__})


def _event(row: aiosqlite.Row) -> ReportEvent:
    return ReportEvent(**{name: row[name] for name in ReportEvent.__dataclass_fields__})


class ReportRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, report_id: int) -> Report | None:
        row = await self._db.fetchone("SELECT * FROM reports WHERE id = ?", (report_id,))
        return _report(row) if row else None

    async def id_for_draft(self, draft_token: str) -> int | None:
        row = await self._db.fetchone(
            "SELECT id FROM reports WHERE draft_token = ?", (draft_token,)
        )
        return int(row["id"]) if row else None

    async def submit(self, draft: Draft, *, area_code: str | None, description: str) -> int:
        """Store the report, its photos and its first event and drop the draft, atomically.

        Idempotent per draft: a second Confirm of the same draft (a double tap on a slow phone,
        or a retry after a crash) returns the report already stored.
        """
        if draft.category_key is None or draft.lat is None or draft.lon is None:
            raise ValueError("draft is incomplete")
        now = utc_now()
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT id FROM reports WHERE draft_token = ?", (draft.token,)
            ) as cursor:
                existing = await cursor.fetchone()
            if existing:
                return int(existing["id"])
            cursor = await conn.execute(
                "INSERT INTO reports (citizen_id, category_key, lat, lon, place_name, address,"
                " area_code, description, status, created_at, updated_at, draft_token)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)",
                (
                    draft.user_id,
                    draft.category_key,
                    draft.lat,
                    draft.lon,
                    draft.place_name,
                    draft.address,
                    area_code,
                    description,
                    now,
                    now,
                    draft.token,
                ),
            )
            report_id = cursor.lastrowid
            assert report_id is not None
            await conn.executemany(
                "INSERT INTO report_photos (report_id, position, file_id, file_unique_id, role)"
                " VALUES (?, ?, ?, ?, 'citizen')",
                [
                    (report_id, position, photo.file_id, photo.file_unique_id)
                    for position, photo in enumerate(draft.photos)
                ],
            )
            await conn.execute(
                "INSERT INTO report_events (report_id, at, actor_kind, actor_id, old_status,"
                " new_status) VALUES (?, ?, 'citizen', ?, NULL, 'new')",
                (report_id, now, draft.user_id),
            )
            await conn.execute(
                "DELETE FROM drafts WHERE user_id = ? AND token = ?", (draft.user_id, draft.token)
            )
        return int(report_id)

    async def photos(self, report_id: int) -> list[ReportPhoto]:
        rows = await self._db.fetchall(
            "SELECT * FROM report_photos WHERE report_id = ? ORDER BY role, position", (report_id,)
        )
        return [_photo(row) for row in rows]

    async def events(self, report_id: int) -> list[ReportEvent]:
        rows = await self._db.fetchall(
            "SELECT * FROM report_events WHERE report_id = ? ORDER BY id", (report_id,)
        )
        return [_event(row) for row in rows]

    async def count_by_citizen_since(self, citizen_id: int, since: str) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM reports WHERE citizen_id = ? AND created_at >= ?",
            (citizen_id, since),
        )
        return int(row["n"]) if row else 0

    async def by_citizen_since(self, citizen_id: int, since: str) -> list[Report]:
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE citizen_id = ? AND created_at >= ? ORDER BY id DESC",
            (citizen_id, since),
        )
        return [_report(row) for row in rows]

    async def count_by_citizen(self, citizen_id: int) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM reports WHERE citizen_id = ?", (citizen_id,)
        )
        return int(row["n"]) if row else 0

    async def page_by_citizen(self, citizen_id: int, *, limit: int, offset: int) -> list[Report]:
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE citizen_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (citizen_id, limit, offset),
        )
        return [_report(row) for row in rows]
