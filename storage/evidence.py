"""The evidence rows: which photo of which report is kept as which file (by SHA-256), and the
work left to the evidence job (photos not yet downloaded, and when to try again).

Why a row per report photo, written with the photo: the job can never miss one (a crash between
the photo and its download leaves a ``pending`` row), and the case file names every photo with
its role and the moment it arrived even when the download failed. The files themselves are
bot/domain/evidence.py's; storage names no state rule beyond the words of the ``state`` column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

from storage.backend import Backend, Connection, Row
from storage.outbox import OutboxMessage, enqueue

PENDING = "pending"
STORED = "stored"
REFUSED = "refused"  # over the size limit or the budget: never tried again
FAILED = "failed"  # gave up after the last attempt


@dataclass(frozen=True)
class Evidence:
    photo_id: int
    report_id: int
    role: str
    file_unique_id: str
    received_at: str
    state: str
    attempts: int
    last_error: str | None
    sha256: str | None
    size: int | None
    mime: str | None
    stored_at: str | None

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class EvidenceJob:
    """A photo to download: its row and the file id to fetch it by, whose photo it is
    (``role``) and the report's citizen (to tell them when it cannot be kept)."""

    photo_id: int
    report_id: int
    file_id: str
    file_unique_id: str
    attempts: int
    role: str
    citizen_id: int


async def enqueue_in(conn: Connection, report_id: int, received_at: str) -> None:
    """A pending row for each photo of the report that has none, in the caller's transaction
    (the one that stored the photos)."""
    await conn.execute(
        "INSERT INTO evidence (photo_id, report_id, role, file_unique_id, received_at,"
        " next_attempt_at) SELECT p.id, p.report_id, p.role, p.file_unique_id, ?, ?"
        " FROM report_photos p WHERE p.report_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.photo_id = p.id)",
        (received_at, received_at, report_id),
    )


class EvidenceRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def due(self, now: str, limit: int) -> list[EvidenceJob]:
        rows = await self._db.fetchall(
            "SELECT e.photo_id, e.report_id, p.file_id, e.file_unique_id, e.attempts, p.role,"
            " r.citizen_id FROM evidence e JOIN report_photos p ON p.id = e.photo_id"
            " JOIN reports r ON r.id = e.report_id"
            " WHERE e.state = ? AND e.next_attempt_at <= ? ORDER BY e.next_attempt_at LIMIT ?",
            (PENDING, now, limit),
        )
        return [EvidenceJob(*(row[i] for i in range(7))) for row in rows]

    async def known(self, file_unique_id: str) -> Evidence | None:
        """The same picture already stored for another photo (a photo sent again, an album's
        photo added twice): its file is the evidence, no second download."""
        row = await self._db.fetchone(
            "SELECT * FROM evidence WHERE file_unique_id = ? AND state = ? LIMIT 1",
            (file_unique_id, STORED),
        )
        return Evidence.from_row(row) if row else None

    async def stored(self, photo_id: int, *, sha256: str, size: int, mime: str, at: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE evidence SET state = ?, sha256 = ?, size = ?, mime = ?, stored_at = ?,"
                " last_error = NULL WHERE photo_id = ?",
                (STORED, sha256, size, mime, at, photo_id),
            )

    async def retry(self, photo_id: int, *, error: str, next_at: str, give_up: bool) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE evidence SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ?, state = ? WHERE photo_id = ?",
                (error[:300], next_at, FAILED if give_up else PENDING, photo_id),
            )

    async def refuse(
        self,
        photo_id: int,
        *,
        reason: str,
        size: int | None,
        messages: Iterable[OutboxMessage] = (),
    ) -> None:
        """Never tried again; ``messages`` (telling someone) go in the same transaction."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE evidence SET state = ?, last_error = ?, size = ? WHERE photo_id = ?",
                (REFUSED, reason[:300], size, photo_id),
            )
            for message in messages:
                await enqueue(conn, message)

    async def by_file_id(self, file_id: str) -> Evidence | None:
        """The stored evidence behind a file id the database holds (a card's photo, a staff
        page's), or behind any photo with the same ``file_unique_id``."""
        row = await self._db.fetchone(
            "SELECT e.* FROM report_photos p JOIN evidence x ON x.photo_id = p.id"
            " JOIN evidence e ON e.file_unique_id = x.file_unique_id AND e.state = ?"
            " WHERE p.file_id = ? LIMIT 1",
            (STORED, file_id),
        )
        return Evidence.from_row(row) if row else None

    async def by_photo(self, photo_id: int) -> Evidence | None:
        row = await self._db.fetchone("SELECT * FROM evidence WHERE photo_id = ?", (photo_id,))
        return Evidence.from_row(row) if row else None

    async def of_report(self, report_id: int) -> list[Evidence]:
        rows = await self._db.fetchall(
            "SELECT * FROM evidence WHERE report_id = ? ORDER BY photo_id", (report_id,)
        )
        return [Evidence.from_row(row) for row in rows]

    async def total_bytes(self) -> int:
        """What the stored files take: each distinct file once."""
        row = await self._db.fetchone(
            "SELECT COALESCE(SUM(size), 0) AS n FROM"
            " (SELECT sha256, MAX(size) AS size FROM evidence WHERE state = ? GROUP BY sha256) f",
            (STORED,),
        )
        return int(row["n"]) if row else 0

    async def counts(self) -> dict[str, int]:
        rows: Iterable[Row] = await self._db.fetchall(
            "SELECT state, COUNT(*) AS n FROM evidence GROUP BY state"
        )
        return {str(row["state"]): int(row["n"]) for row in rows}
