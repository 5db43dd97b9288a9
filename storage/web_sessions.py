"""Staff web pages: one-time sign-in links, the sessions they open, and which report a photo is of.

Why hashes: the database is copied into backups and read by the CLI; a link or cookie copied
from it must not sign anyone in. Tokens carry 256 random bits, so a plain SHA-256 is enough.
Why the officer's areas are not stored in the session: they are read on every request (from
``OfficerRepository.scopes_of``), so an officer removed from an area loses it at once, not when
the session ends.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.backend import Backend, Connection
from storage.sqltext import iso


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def end_sessions_in(conn: Connection, user_id: int) -> int:
    """Sign someone out everywhere at once, unused sign-in links included: an officer who was
    removed must not keep a page open, nor open one with a link sent earlier."""
    await conn.execute("DELETE FROM web_logins WHERE user_id = ?", (user_id,))
    cursor = await conn.execute("DELETE FROM web_sessions WHERE user_id = ?", (user_id,))
    return cursor.rowcount


@dataclass(frozen=True)
class WebSession:
    user_id: int
    user_name: str | None
    expires_at: str


class WebSessionRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def create_login(
        self, user_id: int, user_name: str | None, now: datetime, valid_for: timedelta
    ) -> str:
        """A one-time sign-in token (returned once, stored hashed); old rows are swept here."""
        token = new_token()
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM web_logins WHERE expires_at < ?", (iso(now),))
            await conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (iso(now),))
            await conn.execute(
                "INSERT INTO web_logins (token_hash, user_id, user_name, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (hash_token(token), user_id, user_name, iso(now), iso(now + valid_for)),
            )
        return token

    async def redeem_login(
        self, token: str, now: datetime, session_for: timedelta
    ) -> tuple[str, str | None]:
        """Use a link once: ('ok' | 'unknown' | 'used' | 'expired', the new session's token)."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM web_logins WHERE token_hash = ?", (hash_token(token),)
            ) as cursor:
                login = await cursor.fetchone()
            if login is None:
                return "unknown", None
            if login["used_at"] is not None:
                return "used", None
            if datetime.fromisoformat(login["expires_at"]) <= now:
                return "expired", None
            await conn.execute(
                "UPDATE web_logins SET used_at = ? WHERE token_hash = ?",
                (iso(now), login["token_hash"]),
            )
            session = new_token()
            await conn.execute(
                "INSERT INTO web_sessions (token_hash, user_id, user_name, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    hash_token(session),
                    login["user_id"],
                    login["user_name"],
                    iso(now),
                    iso(now + session_for),
                ),
            )
        return "ok", session

    async def session(self, token: str, now: datetime) -> WebSession | None:
        row = await self._db.fetchone(
            "SELECT * FROM web_sessions WHERE token_hash = ? AND expires_at > ?",
            (hash_token(token), iso(now)),
        )
        if row is None:
            return None
        return WebSession(row["user_id"], row["user_name"], row["expires_at"])

    async def end_session(self, token: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM web_sessions WHERE token_hash = ?", (hash_token(token),)
            )

    async def photo_report(self, file_id: str) -> int | None:
        """The report a photo belongs to (a citizen's, or an officer's "after" photo)."""
        row = await self._db.fetchone(
            "SELECT report_id FROM report_photos WHERE file_id = ?"
            " UNION SELECT report_id FROM report_events WHERE photo_file_id = ? LIMIT 1",
            (file_id, file_id),
        )
        return int(row["report_id"]) if row else None

    async def local_photo(self, file_unique_id: str) -> tuple[int, str] | None:
        """A photo kept on disk until its first upload to Telegram (the staff pages' and the
        case CLI's, ``file_id`` ``local:<path>``), by its ``file_unique_id``: its report and
        its file id, which is Telegram's once the upload has happened."""
        row = await self._db.fetchone(
            "SELECT report_id, file_id FROM report_photos WHERE file_unique_id = ? LIMIT 1",
            (file_unique_id,),
        )
        return (int(row["report_id"]), str(row["file_id"])) if row else None
