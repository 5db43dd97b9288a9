"""An admin's broadcast being composed: kept in SQLite so a restart loses none of it."""

from __future__ import annotations

from dataclasses import dataclass

from storage.backend import Backend
from storage.sqltext import utc_now


@dataclass(frozen=True)
class BroadcastDraft:
    user_id: int
    step: str  # text | area | days | confirm | when
    text: str | None = None
    photo_file_id: str | None = None
    audience: str | None = None  # Audience JSON


class BroadcastDraftRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def get(self, user_id: int) -> BroadcastDraft | None:
        row = await self._db.fetchone(
            "SELECT user_id, step, text, photo_file_id, audience FROM broadcast_drafts"
            " WHERE user_id = ?",
            (user_id,),
        )
        return BroadcastDraft(*row) if row else None

    async def save(self, draft: BroadcastDraft) -> BroadcastDraft:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO broadcast_drafts (user_id, step, text, photo_file_id,"
                " audience, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET step = excluded.step, text ="
                " excluded.text, photo_file_id = excluded.photo_file_id, audience ="
                " excluded.audience, updated_at = excluded.updated_at",
                (
                    draft.user_id,
                    draft.step,
                    draft.text,
                    draft.photo_file_id,
                    draft.audience,
                    utc_now(),
                ),
            )
        return draft

    async def delete(self, user_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM broadcast_drafts WHERE user_id = ?", (user_id,))
