"""The alert cards posted in groups: which message each group's card is, so changes edit it."""

from __future__ import annotations

from dataclasses import dataclass

from storage.backend import Backend, Connection, Row
from storage.sqltext import utc_now

_COLUMNS = "report_id, chat_id, message_id, captioned, reason"


@dataclass(frozen=True)
class AlertCard:
    report_id: int
    chat_id: int
    message_id: int
    #: A photo with the card as its caption (edited with editMessageCaption), else a text.
    captioned: bool = False
    #: Why the card went to this chat when no kelurahan group took it (bot.domain.alerts).
    reason: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> AlertCard:
        return cls(
            report_id=row["report_id"],
            chat_id=row["chat_id"],
            message_id=row["message_id"],
            captioned=bool(row["captioned"]),
            reason=row["reason"],
        )


async def cards_in(conn: Connection, report_id: int) -> list[AlertCard]:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM alert_messages WHERE report_id = ?", (report_id,)
    ) as cursor:
        return [AlertCard.from_row(row) for row in await cursor.fetchall()]


class AlertRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def record_card(
        self,
        report_id: int,
        chat_id: int,
        message_id: int,
        *,
        captioned: bool = False,
        reason: str | None = None,
    ) -> None:
        """Remember the newest card per group; a re-sent alert replaces the old pointer (the
        sender has retired the old card first: one live card per report and group)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO alert_messages (report_id, chat_id, message_id, posted_at, captioned,"
                " reason) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(report_id, chat_id) DO UPDATE SET"
                " message_id = excluded.message_id, posted_at = excluded.posted_at,"
                " captioned = excluded.captioned, reason = excluded.reason",
                (report_id, chat_id, message_id, utc_now(), int(captioned), reason),
            )

    async def card(self, report_id: int, chat_id: int) -> AlertCard | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM alert_messages WHERE report_id = ? AND chat_id = ?",
            (report_id, chat_id),
        )
        return AlertCard.from_row(row) if row else None

    async def forget(self, report_id: int, chat_id: int, message_id: int) -> None:
        """A card retired by a hand-off: no later change edits it back to life (a newer card of
        the same group, were the report handed back meanwhile, is kept)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM alert_messages WHERE report_id = ? AND chat_id = ? AND message_id = ?",
                (report_id, chat_id, message_id),
            )

    async def cards(self, report_id: int) -> list[AlertCard]:
        """Every group's card of a report."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM alert_messages WHERE report_id = ? ORDER BY chat_id",
            (report_id,),
        )
        return [AlertCard.from_row(row) for row in rows]

    async def card_at(self, chat_id: int, message_id: int) -> AlertCard | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM alert_messages WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return AlertCard.from_row(row) if row else None
