"""Whether a report already holds an "after" photo that still counts, asked inside the write
transaction of the change that wants one (:meth:`bot.domain.cases.CasesService.change_status`).

Why the events and not ``report_photos``: a photo row says neither when nor by whom it came,
and a photo taken before the report was last reopened showed a fix the reporter said did not
hold. Who counts as staff, and which status starts the problem again, are the domain's rule:
both come in as parameters (storage names no status).
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.backend import Connection
from storage.sqltext import placeholders


async def photo_since_in(
    conn: Connection, report_id: int, *, by: Sequence[str], since_status: str
) -> bool:
    """Whether an event by an actor of a kind in ``by`` attached a photo to the report after
    the last time it moved to ``since_status`` (or ever, if it never did)."""
    if not by:
        return False
    async with conn.execute(
        "SELECT 1 FROM report_events WHERE report_id = ? AND photo_file_id IS NOT NULL"
        f" AND actor_kind IN ({placeholders(by)})"
        " AND id > COALESCE((SELECT MAX(id) FROM report_events WHERE report_id = ?"
        "   AND new_status = ? AND (old_status IS NULL OR old_status <> new_status)), 0)"
        " LIMIT 1",
        (report_id, *by, report_id, since_status),
    ) as cursor:
        return await cursor.fetchone() is not None
