"""Telegram updates received but perhaps not yet handled (see migration 0009 for why).

A handled row keeps its id and times but not its payload (``'{}'``): the id is all that
recognising a redelivery needs, and the message itself is nobody's business any more. The rows
are deleted by the retention sweep (storage/retention.py)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.backend import Backend
from storage.sqltext import utc_now


@dataclass(frozen=True)
class PendingUpdate:
    update_id: int
    payload: str
    attempts: int


class InboxRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def receive(self, update_id: int, payload: str) -> bool:
        """Keep a new update; False when it is already known (Telegram sent it again)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (update_id, payload, utc_now()),
            )
            return cursor.rowcount == 1

    async def done(self, update_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE inbox SET done_at = ?, payload = '{}' WHERE update_id = ?"
                " AND done_at IS NULL",
                (utc_now(), update_id),
            )

    async def unfinished(self) -> list[PendingUpdate]:
        """Oldest first: the order Telegram sent them, which is each chat's order."""
        rows = await self._db.fetchall(
            "SELECT update_id, payload, attempts FROM inbox WHERE done_at IS NULL"
            " ORDER BY update_id"
        )
        return [
            PendingUpdate(int(row["update_id"]), row["payload"], int(row["attempts"]))
            for row in rows
        ]

    async def begin_replay(self, update_ids: list[int]) -> None:
        """Count a replay before it runs, so an update that kills the bot stops being retried."""
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?",
                [(update_id,) for update_id in update_ids],
            )

    async def give_up(self, update_ids: list[int]) -> None:
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE inbox SET done_at = ?, payload = '{}' WHERE update_id = ?",
                [(utc_now(), update_id) for update_id in update_ids],
            )
