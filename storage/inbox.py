"""Telegram updates received but perhaps not yet handled (see migration 0009 for why).

A handled row keeps its id and times but not its payload (``'{}'``): the id is all that
recognising a redelivery needs, and the message itself is nobody's business any more. The rows
are deleted by the retention sweep (storage/retention.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.backend import Backend
from storage.sqltext import placeholders, utc_now
from storage.workers import gone_cutoff, holder_gone


@dataclass(frozen=True)
class PendingUpdate:
    update_id: int
    payload: str
    attempts: int


class InboxRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def receive(self, update_id: int, payload: str, chat_key: int | None = None) -> bool:
        """Keep a new update; False when it is already known (Telegram sent it again).
        ``chat_key`` is the chat (or user) whose updates must stay in order."""
        async with self._db.transaction(exclusive=False) as conn:
            cursor = await conn.execute(
                "INSERT INTO inbox (update_id, payload, received_at, chat_key) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (update_id, payload, utc_now(), chat_key),
            )
            return cursor.rowcount == 1

    async def claim(self, worker_id: str, now: datetime, limit: int) -> list[PendingUpdate]:
        """Several processes on one database: take up to ``limit`` updates for this one.

        Only the oldest unfinished update of a chat can be taken, and only if nobody alive
        holds it, so a chat's updates run one after another in whichever process is free, and
        a gone process's update is taken over (see storage/workers.py). ``SKIP LOCKED``: two
        processes asking at once take different updates, neither waits. Each take counts an
        attempt (the update's handlers are about to run)."""
        async with self._db.transaction(exclusive=False) as conn:
            cursor = await conn.execute(
                "UPDATE inbox SET claimed_by = ?, attempts = attempts + 1 WHERE update_id IN ("
                " SELECT i.update_id FROM inbox i WHERE i.done_at IS NULL"
                f" AND (i.claimed_by IS NULL OR {holder_gone('i.claimed_by')})"
                " AND NOT EXISTS (SELECT 1 FROM inbox j WHERE j.chat_key = i.chat_key"
                " AND j.done_at IS NULL AND j.update_id < i.update_id)"
                f" ORDER BY i.update_id LIMIT ?{self._db.dialect.skip_locked()})"
                " RETURNING update_id, payload, attempts",
                (worker_id, gone_cutoff(now), limit),
            )
            rows = await cursor.fetchall()
        found = [PendingUpdate(int(r[0]), str(r[1]), int(r[2])) for r in rows]
        return sorted(found, key=lambda pending: pending.update_id)

    async def unclaim(self, worker_id: str, update_ids: list[int]) -> None:
        """A clean stop gives back what it took but never started: no attempt counted."""
        if not update_ids:
            return
        async with self._db.transaction(exclusive=False) as conn:
            await conn.execute(
                "UPDATE inbox SET claimed_by = NULL, attempts = attempts - 1"
                f" WHERE claimed_by = ? AND done_at IS NULL AND update_id IN"
                f" ({placeholders(update_ids)})",
                [worker_id, *update_ids],
            )

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

    async def give_up(self, update_ids: list[int], *, just_taken: bool = False) -> None:
        """Never handled, never tried again. ``just_taken``: :meth:`claim` counted an attempt
        for a run that will not happen, so it is taken back (the count says how often the
        handlers really ran)."""
        uncount = 1 if just_taken else 0
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE inbox SET done_at = ?, payload = '{}', attempts = attempts - ?"
                " WHERE update_id = ?",
                [(utc_now(), uncount, update_id) for update_id in update_ids],
            )
