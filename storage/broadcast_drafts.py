"""An admin's broadcast being composed: kept in SQLite so a restart loses none of it."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database, utc_now


@dataclass(frozen=True)
class BroadcastDraft:
    user_id: int
    step: str  # text | area | days | confirm | when
    text: str | None = None
    photo_file_id: str | None = None
    audience: str | None = None  # Audience JSON


class BroadcastDraftRepository:
    def __init__(self, db: Database) -> None:
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
                "INSERT OR REPLACE INTO broadcast_drafts (user_id, step, text, photo_file_id,"
                " audience, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
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
