"""What reporters add to their reports after filing (a text, a photo, an album), and which bot
messages in private chats are about which report.

Why a table of its own beside ``report_events``: the event is the addition's line in the history
(staff pages, the case CLI, ``/status``); this row keeps what the event cannot — the photo's
``file_unique_id`` (the same picture sent twice), the album it came in (its photos are one
addition, answered once, noticed once), and the citizen's message (a replayed update adds
nothing twice) — and lets the limits be counted per report without reading the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from storage.backend import Backend, Connection, Row, returned_id
from storage.photos import PhotoRef
from storage.sqltext import utc_now


@dataclass(frozen=True)
class CitizenUpdate:
    id: int
    report_id: int
    citizen_id: int
    event_id: int
    note: str | None
    photo_file_id: str | None
    photo_file_unique_id: str | None
    media_group_id: str | None
    chat_id: int
    message_id: int
    created_at: str

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class NewUpdate:
    """An addition about to be stored (its event is written first, by the caller)."""

    report_id: int
    citizen_id: int
    chat_id: int
    message_id: int
    note: str | None
    photo: PhotoRef | None
    media_group_id: str | None


@dataclass(frozen=True)
class UpdateSummary:
    """What an alert card says about the additions: how many (an album counts once), the
    latest, and which history events are additions (the card's "last change" skips them)."""

    count: int
    latest: CitizenUpdate | None
    event_ids: frozenset[int]


async def by_message_in(conn: Connection, chat_id: int, message_id: int) -> CitizenUpdate | None:
    """The addition a citizen's message already made (a replayed update), if any."""
    async with conn.execute(
        "SELECT * FROM citizen_updates WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    ) as cursor:
        row = await cursor.fetchone()
    return CitizenUpdate.from_row(row) if row else None


async def album_start_in(
    conn: Connection, citizen_id: int, media_group_id: str
) -> CitizenUpdate | None:
    """The first addition of an album, whose later photos join it."""
    async with conn.execute(
        "SELECT * FROM citizen_updates WHERE citizen_id = ? AND media_group_id = ?"
        " ORDER BY id LIMIT 1",
        (citizen_id, media_group_id),
    ) as cursor:
        row = await cursor.fetchone()
    return CitizenUpdate.from_row(row) if row else None


async def photo_count_in(conn: Connection, report_id: int) -> int:
    async with conn.execute(
        "SELECT COUNT(*) FROM citizen_updates WHERE report_id = ? AND photo_file_id IS NOT NULL",
        (report_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def has_photo_in(conn: Connection, report_id: int, file_unique_id: str) -> bool:
    """Whether the report already holds this picture (filed with it, or added before)."""
    async with conn.execute(
        "SELECT 1 FROM report_photos WHERE report_id = ? AND file_unique_id = ?"
        " UNION ALL SELECT 1 FROM citizen_updates WHERE report_id = ?"
        " AND photo_file_unique_id = ? LIMIT 1",
        (report_id, file_unique_id, report_id, file_unique_id),
    ) as cursor:
        return await cursor.fetchone() is not None


async def batch_times_in(
    conn: Connection, report_id: int, citizen_id: int, since: str
) -> list[str]:
    """When each addition (an album once) of this citizen to this report since ``since`` began,
    oldest first: what the hourly limit counts."""
    async with conn.execute(
        "SELECT MIN(created_at) AS at FROM citizen_updates"
        " WHERE report_id = ? AND citizen_id = ? AND created_at >= ?"
        " GROUP BY COALESCE(media_group_id, 'update:' || id) ORDER BY at",
        (report_id, citizen_id, since),
    ) as cursor:
        return [str(row[0]) for row in await cursor.fetchall()]


async def add_in(conn: Connection, update: NewUpdate, event_id: int) -> int:
    photo = update.photo
    cursor = await conn.execute(
        "INSERT INTO citizen_updates (report_id, citizen_id, event_id, note, photo_file_id,"
        " photo_file_unique_id, media_group_id, chat_id, message_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            update.report_id,
            update.citizen_id,
            event_id,
            update.note,
            photo.file_id if photo else None,
            photo.file_unique_id if photo else None,
            update.media_group_id,
            update.chat_id,
            update.message_id,
            utc_now(),
        ),
    )
    return await returned_id(cursor)


class CitizenUpdateRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def for_report(self, report_id: int) -> list[CitizenUpdate]:
        rows = await self._db.fetchall(
            "SELECT * FROM citizen_updates WHERE report_id = ? ORDER BY id", (report_id,)
        )
        return [CitizenUpdate.from_row(row) for row in rows]

    async def album_report(self, citizen_id: int, media_group_id: str) -> int | None:
        """The report an album's first photo was added to: its other photos go there too."""
        row = await self._db.fetchone(
            "SELECT report_id FROM citizen_updates WHERE citizen_id = ? AND media_group_id = ?"
            " ORDER BY id LIMIT 1",
            (citizen_id, media_group_id),
        )
        return int(row["report_id"]) if row else None

    async def batch(self, update_id: int, *, after_id: int = 0) -> list[CitizenUpdate]:
        """An addition, or, when it began an album, the album's additions with ids above
        ``after_id``: what one group notice shows."""
        first = await self._db.fetchone("SELECT * FROM citizen_updates WHERE id = ?", (update_id,))
        if first is None:
            return []
        start = CitizenUpdate.from_row(first)
        if start.media_group_id is None:
            return [start] if start.id > after_id else []
        rows = await self._db.fetchall(
            "SELECT * FROM citizen_updates WHERE citizen_id = ? AND media_group_id = ?"
            " AND report_id = ? AND id >= ? AND id > ? ORDER BY id",
            (start.citizen_id, start.media_group_id, start.report_id, start.id, after_id),
        )
        return [CitizenUpdate.from_row(row) for row in rows]

    async def summary(self, report_id: int) -> UpdateSummary:
        updates = await self.for_report(report_id)
        batches = {update.media_group_id or f"update:{update.id}" for update in updates}
        latest = updates[-1] if updates else None
        if latest is not None and latest.media_group_id is not None:
            # An album reads as its first photo, which carries the caption if any.
            latest = next(u for u in updates if u.media_group_id == latest.media_group_id)
        return UpdateSummary(len(batches), latest, frozenset(u.event_id for u in updates))


class ReportMessageRepository:
    """Which bot message in a private chat is about which report."""

    def __init__(self, db: Backend) -> None:
        self._db = db

    async def remember(self, chat_id: int, message_id: int, report_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO report_messages (chat_id, message_id, report_id, sent_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (chat_id, message_id) DO UPDATE SET report_id ="
                " excluded.report_id, sent_at = excluded.sent_at",
                (chat_id, message_id, report_id, utc_now()),
            )

    async def report_at(self, chat_id: int, message_id: int) -> int | None:
        row = await self._db.fetchone(
            "SELECT report_id FROM report_messages WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return int(row["report_id"]) if row else None
