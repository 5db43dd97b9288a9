"""Reports, their photos and their append-only event history: the row types and the repository.

The report row is a projection of its events: every write here that changes a report also appends
the event that explains it, in the same transaction. The repository's writes are each their own
transaction; the steps a bot.domain service takes inside its own transaction (a status change,
a new follower) are storage/report_rows.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Self

from storage.backend import Backend, Connection, Row
from storage.drafts import Draft
from storage.evidence import enqueue_in as enqueue_evidence_in
from storage.outbox import OutboxMessage, enqueue
from storage.report_query import ReportQuery, where_clause
from storage.sqltext import placeholders, utc_now


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
    sla_started_at: str | None = None
    reminded_at: str | None = None
    escalated_at: str | None = None
    approximate: bool = False  # the point stands for a whole area (a typed kelurahan name)
    reporter_name: str | None = None  # staff only; never kept for an anonymous report
    reporter_username: str | None = None
    agency_id: int | None = None  # the agency a hand-off gave it to (storage/agencies.py)

    @classmethod
    def from_row(cls, row: Row) -> Self:
        """The one mapper from a ``reports`` row: every query that returns reports uses it."""
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ReportPhoto:
    report_id: int
    position: int
    file_id: str
    file_unique_id: str
    role: str

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


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
    actor_name: str | None

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


#: A citizen's own reports and those they follow (a neighbour's "+1", or the original their
#: duplicate was folded into). The reporter is a follower too, except of a report an agency filed
#: for them, hence both halves.
_TRACKED = "citizen_id = ? OR id IN (SELECT report_id FROM followers WHERE user_id = ?)"


class ReportRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def get(self, report_id: int) -> Report | None:
        row = await self._db.fetchone("SELECT * FROM reports WHERE id = ?", (report_id,))
        return Report.from_row(row) if row else None

    async def id_for_draft(self, draft_token: str) -> int | None:
        row = await self._db.fetchone(
            "SELECT id FROM reports WHERE draft_token = ?", (draft_token,)
        )
        return int(row["id"]) if row else None

    async def submit(
        self,
        draft: Draft,
        *,
        area_code: str | None,
        description: str,
        visibility: str,
        reporter_name: str | None = None,
        reporter_username: str | None = None,
        messages: Callable[[int], list[OutboxMessage]] = lambda _: [],
        within: Callable[[Connection, int], Awaitable[None]] | None = None,
    ) -> int:
        """Store the report, its photos, its first event, its reporter as follower and the
        messages it causes (``messages(report_id)``: group alerts), and drop the draft, atomically.
        ``within(conn, report_id)`` writes more in the same transaction (an Open311 request's
        answers, which its alert card shows). ``visibility`` and the reporter's name are the
        caller's (bot.domain.privacy decides them; storage stores what it is given).

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
            async with conn.execute(
                "INSERT INTO reports (citizen_id, category_key, lat, lon, place_name, address,"
                " area_code, description, created_at, updated_at, draft_token, approximate,"
                " visibility, reporter_name, reporter_username)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
                    int(draft.approximate),
                    visibility,
                    reporter_name,
                    reporter_username,
                ),
            ) as cursor:
                inserted = await cursor.fetchone()
            assert inserted is not None
            report_id = int(inserted["id"])
            await conn.executemany(
                "INSERT INTO report_photos (report_id, position, file_id, file_unique_id, role)"
                " VALUES (?, ?, ?, ?, 'citizen')",
                [
                    (report_id, position, photo.file_id, photo.file_unique_id)
                    for position, photo in enumerate(draft.photos)
                ],
            )
            await enqueue_evidence_in(conn, int(report_id), now)
            # The first status is the schema's default (bot.domain.statuses.NEW), which the first
            # event records: storage names no status of its own.
            await conn.execute(
                "INSERT INTO report_events (report_id, at, actor_kind, actor_id, old_status,"
                " new_status) SELECT id, ?, 'citizen', ?, NULL, status FROM reports WHERE id = ?",
                (now, draft.user_id, report_id),
            )
            await conn.execute(
                "INSERT INTO followers (report_id, user_id, added_at) VALUES (?, ?, ?)",
                (report_id, draft.user_id, now),
            )
            for message in messages(int(report_id)):
                await enqueue(conn, message)
            if within is not None:
                await within(conn, int(report_id))
            await conn.execute(
                "DELETE FROM drafts WHERE user_id = ? AND token = ?", (draft.user_id, draft.token)
            )
        return int(report_id)

    async def photos(self, report_id: int) -> list[ReportPhoto]:
        rows = await self._db.fetchall(
            "SELECT * FROM report_photos WHERE report_id = ? ORDER BY role, position", (report_id,)
        )
        return [ReportPhoto.from_row(row) for row in rows]

    async def events(self, report_id: int) -> list[ReportEvent]:
        rows = await self._db.fetchall(
            "SELECT * FROM report_events WHERE report_id = ? ORDER BY id", (report_id,)
        )
        return [ReportEvent.from_row(row) for row in rows]

    async def by_citizen_since(self, citizen_id: int, since: str) -> list[Report]:
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE citizen_id = ? AND created_at >= ? ORDER BY id DESC",
            (citizen_id, since),
        )
        return [Report.from_row(row) for row in rows]

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
        return [Report.from_row(row) for row in rows]

    async def count_tracked(self, user_id: int) -> int:
        """The reports a citizen filed or follows (/myreports)."""
        row = await self._db.fetchone(
            f"SELECT COUNT(*) AS n FROM reports WHERE {_TRACKED}", (user_id, user_id)
        )
        return int(row["n"]) if row else 0

    async def page_tracked(self, user_id: int, *, limit: int, offset: int) -> list[Report]:
        """Filed or followed by ``user_id``, newest first; which of the two is
        ``report.citizen_id == user_id``."""
        rows = await self._db.fetchall(
            f"SELECT * FROM reports WHERE {_TRACKED} ORDER BY id DESC LIMIT ? OFFSET ?",
            (user_id, user_id, limit, offset),
        )
        return [Report.from_row(row) for row in rows]

    async def is_follower(self, report_id: int, user_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM followers WHERE report_id = ? AND user_id = ?", (report_id, user_id)
        )
        return row is not None

    async def event(self, event_id: int) -> ReportEvent | None:
        row = await self._db.fetchone("SELECT * FROM report_events WHERE id = ?", (event_id,))
        return ReportEvent.from_row(row) if row else None

    async def followers(self, report_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT user_id FROM followers WHERE report_id = ? ORDER BY added_at", (report_id,)
        )
        return [int(row["user_id"]) for row in rows]

    async def replace_photo_file(self, old_file_id: str, file_id: str) -> None:
        """A photo first stored as a local file becomes the file Telegram gave back. Its
        ``file_unique_id`` (``local:<name>``) stays: a staff page rendered before the upload
        names the photo by it, and must still find it afterwards."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE report_photos SET file_id = ? WHERE file_id = ?", (file_id, old_file_id)
            )
            await conn.execute(
                "UPDATE report_events SET photo_file_id = ? WHERE photo_file_id = ?",
                (file_id, old_file_id),
            )

    async def nearby_candidates(
        self,
        *,
        min_lat: float,
        max_lat: float,
        min_lon: float,
        max_lon: float,
        category_key: str,
        statuses: tuple[str, ...],
        limit: int = 50,
    ) -> list[Report]:
        """Reports of a category in ``statuses`` (the caller's "open") inside a box; the
        engine's spatial index does the spatial part (:meth:`Dialect.reports_in_box`)."""
        if not statuses:
            return []
        marks = placeholders(statuses)
        box, box_params = self._db.dialect.reports_in_box(min_lat, max_lat, min_lon, max_lon)
        rows = await self._db.fetchall(
            f"SELECT r.* {box}"
            f" AND r.category_key = ? AND r.status IN ({marks}) ORDER BY r.id DESC LIMIT ?",
            (*box_params, category_key, *statuses, limit),
        )
        return [Report.from_row(row) for row in rows]

    async def search(self, query: ReportQuery, *, limit: int, offset: int = 0) -> list[Report]:
        """Newest first, a page at a time (staff pages, Open311, the case CLI)."""
        where = where_clause(query)
        if where is None:
            return []
        sql, params = where
        rows = await self._db.fetchall(
            f"SELECT * FROM reports{sql} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [Report.from_row(row) for row in rows]

    async def count(self, query: ReportQuery) -> int:
        where = where_clause(query)
        if where is None:
            return 0
        sql, params = where
        row = await self._db.fetchone(f"SELECT COUNT(*) AS n FROM reports{sql}", params)
        return int(row["n"]) if row else 0
