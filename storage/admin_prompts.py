"""An admin's one open question in their private chat (``admin_prompts``): what their next
message answers, e.g. the area an agency handles. Kept in the database, as the citizens'
prompts are, so a restart between question and answer loses nothing."""

from __future__ import annotations

from dataclasses import dataclass

from storage.backend import Backend
from storage.sqltext import utc_now


@dataclass(frozen=True)
class AdminPrompt:
    user_id: int
    kind: str
    subject_id: int
    created_at: str


class AdminPromptRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def ask(self, user_id: int, kind: str, subject_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO admin_prompts (user_id, kind, subject_id, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind,"
                " subject_id = excluded.subject_id, created_at = excluded.created_at",
                (user_id, kind, subject_id, utc_now()),
            )

    async def get(self, user_id: int) -> AdminPrompt | None:
        row = await self._db.fetchone(
            "SELECT user_id, kind, subject_id, created_at FROM admin_prompts WHERE user_id = ?",
            (user_id,),
        )
        return AdminPrompt(*row) if row else None

    async def answered(self, user_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM admin_prompts WHERE user_id = ?", (user_id,))
