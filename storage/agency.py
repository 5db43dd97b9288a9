"""The stand-in citizen behind reports that agency systems file over the API.

Why a row at all: ``reports.citizen_id`` references ``citizens(user_id)`` and foreign keys are on,
so a report needs a citizen. The agency is that citizen: one row, user id 0 (never a Telegram
user; 0 is also neither a private chat, which is positive, nor a group, which is negative). It
is marked blocked and banned, so broadcasts skip it and anything ever addressed to it (the "is
it fixed?" survey after resolution) is parked by delivery instead of sent.

Right after :meth:`storage.reports.ReportRepository.submit` stores such a report, the agency
stops following it (it asked for no Telegram follow-ups; it reads the API) and the report's
first event names the agency rather than "the reporter".
"""

from __future__ import annotations

from storage.backend import Backend
from storage.sqltext import utc_now

AGENCY_CITIZEN_ID = 0


async def ensure_agency_citizen(db: Backend) -> None:
    """Create the stand-in row once; harmless to call again."""
    if await db.fetchone("SELECT 1 FROM citizens WHERE user_id = ?", (AGENCY_CITIZEN_ID,)):
        return
    now = utc_now()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO citizens (user_id, chat_id, language, created_at, blocked_at, banned_at)"
            " VALUES (?, ?, 'id', ?, ?, ?) ON CONFLICT(user_id) DO NOTHING",
            (AGENCY_CITIZEN_ID, AGENCY_CITIZEN_ID, now, now, now),
        )


async def hand_to_agency(db: Backend, report_id: int, agency: str) -> None:
    """The report was filed by ``agency``: no follow-ups to the stand-in, and its history says
    who filed it."""
    async with db.transaction() as conn:
        await conn.execute(
            "DELETE FROM followers WHERE report_id = ? AND user_id = ?",
            (report_id, AGENCY_CITIZEN_ID),
        )
        await conn.execute(
            "UPDATE report_events SET actor_kind = 'agency', actor_id = NULL, actor_name = ?"
            " WHERE report_id = ? AND old_status IS NULL AND actor_id = ?",
            (agency, report_id, AGENCY_CITIZEN_ID),
        )
