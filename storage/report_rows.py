"""A report's row changed inside the caller's transaction: the steps bot.domain's services join.

Why apart from :class:`storage.reports.ReportRepository`: the repository's writes open and commit
their own transaction, while a status change, a hand-off or a reporter's addition must change the
report row, its events, its followers and the messages they cause all at once, in one transaction
a service in bot.domain opens. These are the storage steps of such a transaction, each taking the
caller's connection. As everywhere, a change of status appends the event that explains it and
projects it onto the row in the same transaction (:func:`record_change_in`).
"""

from __future__ import annotations

from storage.backend import Connection, returned_id
from storage.evidence import enqueue_in as enqueue_evidence_in
from storage.photos import PhotoRef
from storage.reports import Report
from storage.sqltext import utc_now


async def get_in(conn: Connection, report_id: int) -> Report | None:
    """Read a report inside the caller's (write) transaction."""
    async with conn.execute("SELECT * FROM reports WHERE id = ?", (report_id,)) as cursor:
        row = await cursor.fetchone()
    return Report.from_row(row) if row else None


async def followers_in(conn: Connection, report_id: int) -> list[int]:
    async with conn.execute(
        "SELECT user_id FROM followers WHERE report_id = ? ORDER BY added_at", (report_id,)
    ) as cursor:
        return [int(row[0]) for row in await cursor.fetchall()]


async def add_follower_in(conn: Connection, report_id: int, user_id: int) -> bool:
    """Make ``user_id`` a follower; a new follower who is not the reporter raises support."""
    cursor = await conn.execute(
        "INSERT INTO followers (report_id, user_id, added_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (report_id, user_id, utc_now()),
    )
    if cursor.rowcount == 0:
        return False
    await conn.execute(
        "UPDATE reports SET supporters = supporters + 1 WHERE id = ? AND citizen_id != ?",
        (report_id, user_id),
    )
    return True


async def set_area_in(conn: Connection, report_id: int, area_code: str) -> None:
    await conn.execute(
        "UPDATE reports SET area_code = ?, updated_at = ? WHERE id = ?",
        (area_code, utc_now(), report_id),
    )


async def record_change_in(
    conn: Connection,
    report: Report,
    *,
    new_status: str,
    actor_kind: str,
    actor_id: int | None,
    actor_name: str | None,
    note: str | None = None,
    photo: PhotoRef | None = None,
    duplicate_of: int | None = None,
    acknowledges: bool,
    resolves: bool,
    photo_role: str = "resolution",
) -> int:
    """Append the event and project it onto the report row; returns the event id.

    Which statuses count as acknowledging or resolving is the caller's rule (storage names no
    status): ``acknowledges`` stamps ``acknowledged_at`` if it is still empty, ``resolves``
    stamps ``resolved_at``. The event's photo joins the report's photos as ``photo_role``
    (an officer's "after" photo by default; ``update`` for a reporter's addition)."""
    now = utc_now()
    cursor = await conn.execute(
        "INSERT INTO report_events (report_id, at, actor_kind, actor_id, actor_name, old_status,"
        " new_status, note, photo_file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            report.id,
            now,
            actor_kind,
            actor_id,
            actor_name,
            report.status,
            new_status,
            note,
            photo.file_id if photo else None,
        ),
    )
    event_id = await returned_id(cursor)
    await conn.execute(
        "UPDATE reports SET status = ?, updated_at = ?,"
        " acknowledged_at = CASE WHEN acknowledged_at IS NULL AND ?"
        "   THEN ? ELSE acknowledged_at END,"
        " resolved_at = CASE WHEN ? THEN ? ELSE resolved_at END,"
        " duplicate_of = COALESCE(?, duplicate_of) WHERE id = ?",
        (new_status, now, acknowledges, now, resolves, now, duplicate_of, report.id),
    )
    if photo is not None:
        await conn.execute(
            "INSERT INTO report_photos (report_id, position, file_id, file_unique_id, role)"
            " VALUES (?, (SELECT COUNT(*) FROM report_photos WHERE report_id = ?), ?, ?, ?)",
            (report.id, report.id, photo.file_id, photo.file_unique_id, photo_role),
        )
        await enqueue_evidence_in(conn, report.id, now)
    return event_id
