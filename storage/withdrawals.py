"""A reason a reporter typed for withdrawing their report, kept until they confirm (or type
another): the confirmation button cannot carry free text (64 bytes), and memory would lose it in
a restart between the two."""

from __future__ import annotations

from storage.backend import Backend
from storage.sqltext import utc_now


class WithdrawalReasonRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def keep(self, user_id: int, report_id: int, reason: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO withdrawal_reasons (user_id, report_id, reason, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                " report_id = excluded.report_id, reason = excluded.reason,"
                " created_at = excluded.created_at",
                (user_id, report_id, reason, utc_now()),
            )

    async def reason(self, user_id: int, report_id: int) -> str | None:
        row = await self._db.fetchone(
            "SELECT reason FROM withdrawal_reasons WHERE user_id = ? AND report_id = ?",
            (user_id, report_id),
        )
        return str(row["reason"]) if row else None

    async def drop(self, user_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM withdrawal_reasons WHERE user_id = ?", (user_id,))
