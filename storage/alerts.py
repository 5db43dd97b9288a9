"""The alert cards posted in groups, and the questions the bot asked there awaiting a reply."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, utc_now


@dataclass(frozen=True)
class AlertCard:
    report_id: int
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class PendingReply:
    chat_id: int
    message_id: int
    report_id: int
    action: str  # reject | duplicate | after_photo
    officer_id: int


async def cards_in(conn: aiosqlite.Connection, report_id: int) -> list[AlertCard]:
    async with conn.execute(
        "SELECT report_id, chat_id, message_id FROM alert_messages WHERE report_id = ?",
        (report_id,),
    ) as cursor:
        return [AlertCard(*row) for row in await cursor.fetchall()]


class AlertRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_card(self, report_id: int, chat_id: int, message_id: int) -> None:
        """Remember the newest card per group; a re-sent alert replaces the old pointer."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO alert_messages (report_id, chat_id, message_id, posted_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(report_id, chat_id) DO UPDATE SET"
                " message_id = excluded.message_id, posted_at = excluded.posted_at",
                (report_id, chat_id, message_id, utc_now()),
            )

    async def card(self, report_id: int, chat_id: int) -> AlertCard | None:
        row = await self._db.fetchone(
            "SELECT report_id, chat_id, message_id FROM alert_messages"
            " WHERE report_id = ? AND chat_id = ?",
            (report_id, chat_id),
        )
        return AlertCard(*row) if row else None

    async def card_at(self, chat_id: int, message_id: int) -> AlertCard | None:
        row = await self._db.fetchone(
            "SELECT report_id, chat_id, message_id FROM alert_messages"
            " WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return AlertCard(*row) if row else None

    async def ask(self, pending: PendingReply) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO pending_replies (chat_id, message_id, report_id, action,"
                " officer_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    pending.chat_id,
                    pending.message_id,
                    pending.report_id,
                    pending.action,
                    pending.officer_id,
                    utc_now(),
                ),
            )

    async def pending_at(self, chat_id: int, message_id: int) -> PendingReply | None:
        row = await self._db.fetchone(
            "SELECT chat_id, message_id, report_id, action, officer_id FROM pending_replies"
            " WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return PendingReply(*row) if row else None

    async def answered(self, chat_id: int, message_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM pending_replies WHERE chat_id = ? AND message_id = ?",
                (chat_id, message_id),
            )
