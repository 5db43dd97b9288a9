"""Ratings from the "is it fixed?" survey, and questions awaiting a citizen's free answer."""

from __future__ import annotations

from dataclasses import dataclass

from storage.backend import Backend
from storage.sqltext import utc_now


@dataclass(frozen=True)
class CitizenPrompt:
    user_id: int
    kind: str
    report_id: int
    created_at: str


class SurveyRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def rate(self, report_id: int, *, fixed: bool, stars: int | None = None) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO ratings (report_id, stars, fixed, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(report_id)"
                " DO UPDATE SET stars = COALESCE(excluded.stars, ratings.stars),"
                " fixed = excluded.fixed, at = excluded.at",
                (report_id, stars, int(fixed), utc_now()),
            )

    async def rating(self, report_id: int) -> tuple[bool, int | None] | None:
        row = await self._db.fetchone(
            "SELECT fixed, stars FROM ratings WHERE report_id = ?", (report_id,)
        )
        return (bool(row["fixed"]), row["stars"]) if row else None

    async def ask(self, user_id: int, kind: str, report_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO citizen_prompts (user_id, kind, report_id, created_at)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind, report_id ="
                " excluded.report_id, created_at = excluded.created_at",
                (user_id, kind, report_id, utc_now()),
            )

    async def prompt(self, user_id: int) -> CitizenPrompt | None:
        row = await self._db.fetchone(
            "SELECT user_id, kind, report_id, created_at FROM citizen_prompts WHERE user_id = ?",
            (user_id,),
        )
        return CitizenPrompt(*row) if row else None

    async def answered(self, user_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM citizen_prompts WHERE user_id = ?", (user_id,))
