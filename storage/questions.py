"""The questions the bot asked officers in a group ("why reject?", "the after photo?",
"duplicate of which report?"), answered by replying to them.

A question is kept once it is closed (answered, cancelled, or replaced by a newer one from the
same officer about the same report), so a late reply to it is told why it no longer counts. How
long an open one lives is the domain's rule (bot/domain/questions.py): the queries take the
oldest moment still alive.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.backend import Backend, Row

_COLUMNS = (
    "chat_id, message_id, report_id, action, officer_id, created_at, officer_name, closed_at,"
    " closed_how"
)


@dataclass(frozen=True)
class Question:
    chat_id: int
    message_id: int
    report_id: int
    action: str  # reject | duplicate | resolve | resolve_reason | after_photo (before 0016)
    officer_id: int
    asked_at: str
    officer_name: str | None = None
    closed_at: str | None = None
    closed_how: str | None = None  # answered | cancelled | replaced

    @classmethod
    def from_row(cls, row: Row) -> Question:
        return cls(
            chat_id=row["chat_id"],
            message_id=row["message_id"],
            report_id=row["report_id"],
            action=row["action"],
            officer_id=row["officer_id"],
            asked_at=row["created_at"],
            officer_name=row["officer_name"],
            closed_at=row["closed_at"],
            closed_how=row["closed_how"],
        )


class QuestionRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def ask(self, question: Question) -> None:
        """Record a new question; the officer's open question about the same report in the same
        chat, if any, is replaced by it (one open question per officer, report and chat)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE pending_replies SET closed_at = ?, closed_how = 'replaced'"
                " WHERE chat_id = ? AND officer_id = ? AND report_id = ? AND closed_at IS NULL",
                (question.asked_at, question.chat_id, question.officer_id, question.report_id),
            )
            await conn.execute(
                "INSERT INTO pending_replies (chat_id, message_id, report_id, action,"
                " officer_id, created_at, officer_name) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id, message_id) DO UPDATE SET report_id ="
                " excluded.report_id, action = excluded.action, officer_id ="
                " excluded.officer_id, created_at = excluded.created_at, officer_name ="
                " excluded.officer_name, closed_at = NULL, closed_how = NULL",
                (
                    question.chat_id,
                    question.message_id,
                    question.report_id,
                    question.action,
                    question.officer_id,
                    question.asked_at,
                    question.officer_name,
                ),
            )

    async def at(self, chat_id: int, message_id: int) -> Question | None:
        """The question asked with this message, open or closed."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM pending_replies WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return Question.from_row(row) if row else None

    async def open_by_officer(self, chat_id: int, officer_id: int, since: str) -> list[Question]:
        """The officer's open questions in a chat asked at ``since`` or later, newest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM pending_replies WHERE chat_id = ? AND officer_id = ?"
            " AND closed_at IS NULL AND created_at >= ? ORDER BY created_at DESC, message_id DESC",
            (chat_id, officer_id, since),
        )
        return [Question.from_row(row) for row in rows]

    async def open_on_report(self, report_id: int, since: str) -> list[Question]:
        """A report's open questions in every chat asked at ``since`` or later, newest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM pending_replies WHERE report_id = ? AND closed_at IS NULL"
            " AND created_at >= ? ORDER BY created_at DESC, message_id DESC",
            (report_id, since),
        )
        return [Question.from_row(row) for row in rows]

    async def close(self, chat_id: int, message_id: int, how: str, at: str) -> bool:
        """Close a question; False when it was closed already (two answers at once: one wins)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE pending_replies SET closed_at = ?, closed_how = ?"
                " WHERE chat_id = ? AND message_id = ? AND closed_at IS NULL",
                (at, how, chat_id, message_id),
            )
            return cursor.rowcount == 1

    async def set_action(self, chat_id: int, message_id: int, action: str) -> bool:
        """An open question now asks for something else (the after photo's "no photo, here is
        why"); False when it is closed."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE pending_replies SET action = ? WHERE chat_id = ? AND message_id = ?"
                " AND closed_at IS NULL",
                (action, chat_id, message_id),
            )
            return cursor.rowcount == 1
