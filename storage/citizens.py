"""Citizens: who talks to the bot privately, in which language, and whether we may write to them."""

from __future__ import annotations

from dataclasses import dataclass

from storage.backend import Backend, Row
from storage.sqltext import placeholders, utc_now


@dataclass(frozen=True)
class Citizen:
    user_id: int
    chat_id: int
    language: str
    language_chosen: bool
    created_at: str
    blocked_at: str | None
    banned_at: str | None
    announcements_off_at: str | None = None
    default_visibility: str = "public"  # bot.domain.privacy's modes; the schema's default


@dataclass(frozen=True)
class CitizenState:
    """Whether a broadcast may still go to a citizen, read for a whole page at once."""

    blocked: bool
    announcements_off: bool


def _citizen(row: Row) -> Citizen:
    return Citizen(
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        language=row["language"],
        language_chosen=bool(row["language_chosen"]),
        created_at=row["created_at"],
        blocked_at=row["blocked_at"],
        banned_at=row["banned_at"],
        announcements_off_at=row["announcements_off_at"],
        default_visibility=row["default_visibility"],
    )


class CitizenRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def get(self, user_id: int) -> Citizen | None:
        row = await self._db.fetchone("SELECT * FROM citizens WHERE user_id = ?", (user_id,))
        return _citizen(row) if row else None

    async def ensure(self, user_id: int, chat_id: int, language: str) -> Citizen:
        """Register a citizen on first contact; a returning one who had blocked us is unblocked.

        Reads first, because almost every update comes from a known citizen and a write per
        update would queue every chat behind the single writer.
        """
        known = await self.get(user_id)
        if known and known.chat_id == chat_id and known.blocked_at is None:
            return known
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO citizens (user_id, chat_id, language, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id, blocked_at = NULL",
                (user_id, chat_id, language, utc_now()),
            )
        citizen = await self.get(user_id)
        assert citizen is not None
        return citizen

    async def set_language(self, user_id: int, language: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE citizens SET language = ?, language_chosen = 1 WHERE user_id = ?",
                (language, user_id),
            )

    async def set_default_visibility(self, user_id: int, visibility: str) -> None:
        """The mode the citizen's next reports start with (/settings)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE citizens SET default_visibility = ? WHERE user_id = ?",
                (visibility, user_id),
            )

    async def mark_blocked(self, user_id: int) -> None:
        """The citizen blocked the bot: stop writing to them until they write to us again."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE citizens SET blocked_at = ? WHERE user_id = ? AND blocked_at IS NULL",
                (utc_now(), user_id),
            )

    async def set_announcements(self, user_id: int, *, on: bool) -> bool:
        """/stop and /start for announcements; True when something changed."""
        async with self._db.transaction() as conn:
            if on:
                cursor = await conn.execute(
                    "UPDATE citizens SET announcements_off_at = NULL"
                    " WHERE user_id = ? AND announcements_off_at IS NOT NULL",
                    (user_id,),
                )
            else:
                cursor = await conn.execute(
                    "UPDATE citizens SET announcements_off_at = ?"
                    " WHERE user_id = ? AND announcements_off_at IS NULL",
                    (utc_now(), user_id),
                )
            return cursor.rowcount > 0

    async def set_banned(self, user_id: int, *, banned: bool) -> bool:
        """Ban (or unban) a citizen; True when something changed. Someone who has never written
        to the bot can be banned too: their row is made, keyed by their private chat (= user id).
        """
        async with self._db.transaction() as conn:
            if banned:
                cursor = await conn.execute(
                    "INSERT INTO citizens (user_id, chat_id, language, created_at, banned_at)"
                    " VALUES (?, ?, 'id', ?, ?) ON CONFLICT(user_id) DO UPDATE"
                    " SET banned_at = excluded.banned_at WHERE citizens.banned_at IS NULL",
                    (user_id, user_id, utc_now(), utc_now()),
                )
            else:
                cursor = await conn.execute(
                    "UPDATE citizens SET banned_at = NULL"
                    " WHERE user_id = ? AND banned_at IS NOT NULL",
                    (user_id,),
                )
            return cursor.rowcount > 0

    async def banned(self, user_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM citizens WHERE user_id = ? AND banned_at IS NOT NULL", (user_id,)
        )
        return row is not None

    async def states(self, chat_ids: list[int]) -> dict[int, CitizenState]:
        if not chat_ids:
            return {}
        marks = placeholders(chat_ids)
        rows = await self._db.fetchall(
            "SELECT chat_id, blocked_at IS NOT NULL OR banned_at IS NOT NULL AS blocked,"
            " announcements_off_at IS NOT NULL AS off FROM citizens"
            f" WHERE chat_id IN ({marks})",
            chat_ids,
        )
        return {
            int(row["chat_id"]): CitizenState(bool(row["blocked"]), bool(row["off"]))
            for row in rows
        }
