"""Which group chats cover which areas, and who are the officers of an area."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from storage.backend import Backend, Connection, Row, returned_id
from storage.sqltext import utc_now


@dataclass(frozen=True)
class Scope:
    """A kelurahan (key: its code), a kecamatan or a kota (key: its name)."""

    kind: str
    key: str

    @classmethod
    def from_row(cls, row: Row) -> Self:
        """From the ``scope`` and ``scope_key`` columns every scoped table has."""
        return cls(row["scope"], row["scope_key"])


@dataclass(frozen=True)
class GroupLink:
    chat_id: int
    scope: Scope
    title: str | None
    linked_by: int
    linked_at: str

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            chat_id=row["chat_id"],
            scope=Scope.from_row(row),
            title=row["title"],
            linked_by=row["linked_by"],
            linked_at=row["linked_at"],
        )


def _scopes_clause(scopes: list[Scope]) -> tuple[str, list[str]]:
    clause = " OR ".join("(scope = ? AND scope_key = ?)" for _ in scopes)
    return f"({clause})", [value for scope in scopes for value in (scope.kind, scope.key)]


class GroupRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def link(self, chat_id: int, scopes: list[Scope], title: str | None, by: int) -> int:
        """Link the group to each scope; returns how many links are new."""
        added = 0
        async with self._db.transaction() as conn:
            for scope in scopes:
                cursor = await conn.execute(
                    "INSERT INTO area_groups (chat_id, scope, scope_key, title, linked_by,"
                    " linked_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (chat_id, scope.kind, scope.key, title, by, utc_now()),
                )
                added += cursor.rowcount
        return added

    async def unlink(self, chat_id: int, scopes: list[Scope] | None = None) -> int:
        sql = "DELETE FROM area_groups WHERE chat_id = ?"
        params: list[object] = [chat_id]
        if scopes:
            clause, values = _scopes_clause(scopes)
            sql += f" AND {clause}"
            params += values
        async with self._db.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def links_of(self, chat_id: int) -> list[GroupLink]:
        rows = await self._db.fetchall(
            "SELECT * FROM area_groups WHERE chat_id = ? ORDER BY scope DESC, scope_key",
            (chat_id,),
        )
        return [GroupLink.from_row(row) for row in rows]

    async def chats_covering(self, scopes: list[Scope]) -> list[GroupLink]:
        clause, params = _scopes_clause(scopes)
        rows = await self._db.fetchall(
            f"SELECT * FROM area_groups WHERE {clause} ORDER BY chat_id", params
        )
        return [GroupLink.from_row(row) for row in rows]


async def migrate_chat(db: Backend, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup with a new id: everything that pointed at it follows."""
    async with db.transaction() as conn:
        for table in ("area_groups", "alert_messages", "pending_replies"):
            await conn.execute(
                f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
        await conn.execute(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND state IN ('pending', 'sending')",
            (new_chat_id, old_chat_id),
        )


@dataclass(frozen=True)
class Officer:
    """One officer in one area; ``rowid`` names the row on a "remove" button."""

    rowid: int
    user_id: int
    scope: Scope
    name: str | None
    added_at: str

    @classmethod
    def from_row(cls, row: Row) -> Self:
        """From ``SELECT rowid, * FROM officers``."""
        return cls(row["rowid"], row["user_id"], Scope.from_row(row), row["name"], row["added_at"])


@dataclass(frozen=True)
class Invite:
    """An open invite: ``id`` is short and not secret (the token is never kept)."""

    id: int
    scope: Scope
    created_by: int
    expires_at: str

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(row["id"], Scope.from_row(row), row["created_by"], row["expires_at"])


def hash_invite(token: str) -> str:
    """SHA-256, as for sign-in links and API keys: the token carries 128 random bits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class OfficerRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def add(self, user_id: int, scope: Scope, by: int | None) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO officers (user_id, scope, scope_key, added_by, added_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (user_id, scope.kind, scope.key, by, utc_now()),
            )

    async def covers(self, user_id: int, scopes: list[Scope]) -> bool:
        clause, params = _scopes_clause(scopes)
        row = await self._db.fetchone(
            f"SELECT 1 FROM officers WHERE user_id = ? AND {clause} LIMIT 1", [user_id, *params]
        )
        return row is not None

    async def scopes_of(self, user_id: int) -> list[Scope]:
        """The areas an officer serves, read afresh on every ask (staff pages, /stats, /weblogin):
        an officer removed from an area loses it at once."""
        rows = await self._db.fetchall(
            "SELECT scope, scope_key FROM officers WHERE user_id = ? ORDER BY scope, scope_key",
            (user_id,),
        )
        return [Scope.from_row(row) for row in rows]

    async def all(self) -> list[Officer]:
        rows = await self._db.fetchall(
            "SELECT rowid, * FROM officers ORDER BY scope DESC, scope_key, added_at, user_id"
        )
        return [Officer.from_row(row) for row in rows]

    async def by_rowid(self, rowid: int) -> Officer | None:
        row = await self._db.fetchone("SELECT rowid, * FROM officers WHERE rowid = ?", (rowid,))
        return Officer.from_row(row) if row else None

    async def create_invite(self, token: str, scope: Scope, by: int, expires_at: datetime) -> int:
        """Store the invite under the hash of ``token``; returns its short id."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO officer_invites (token_hash, scope, scope_key, created_by,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (hash_invite(token), scope.kind, scope.key, by, utc_now(), expires_at.isoformat()),
            )
            return await returned_id(cursor)

    async def open_invites(self, now: datetime) -> list[Invite]:
        rows = await self._db.fetchall(
            "SELECT * FROM officer_invites WHERE used_by IS NULL AND revoked_at IS NULL"
            " AND expires_at > ? ORDER BY id",
            (now.isoformat(),),
        )
        return [Invite.from_row(row) for row in rows]

    async def revoke_invite(self, invite_id: int, now: datetime) -> bool:
        """Withdraw an unused invite; it also expires now, so the retention sweep prunes it."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE officer_invites SET revoked_at = ?, expires_at = ?"
                " WHERE id = ? AND used_by IS NULL AND revoked_at IS NULL AND expires_at > ?",
                (now.isoformat(), now.isoformat(), invite_id, now.isoformat()),
            )
            return cursor.rowcount > 0

    async def redeem_invite(
        self, token: str, user_id: int, now: datetime, name: str | None = None
    ) -> tuple[str, Scope | None]:
        """Use an invite once: ('ok' | 'unknown' | 'used' | 'revoked' | 'expired', its scope)."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM officer_invites WHERE token_hash = ?", (hash_invite(token),)
            ) as cursor:
                invite = await cursor.fetchone()
            if invite is None:
                return "unknown", None
            scope = Scope.from_row(invite)
            if invite["used_by"] is not None:
                return "used", scope
            if invite["revoked_at"] is not None:
                return "revoked", scope
            if datetime.fromisoformat(invite["expires_at"]) <= now:
                return "expired", scope
            await conn.execute(
                "UPDATE officer_invites SET used_by = ?, used_at = ? WHERE id = ?",
                (user_id, utc_now(), invite["id"]),
            )
            await conn.execute(
                "INSERT INTO officers (user_id, scope, scope_key, added_by, added_at, name)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, scope, scope_key)"
                " DO UPDATE SET name = COALESCE(excluded.name, officers.name)",
                (user_id, scope.kind, scope.key, invite["created_by"], utc_now(), name),
            )
            return "ok", scope


async def remove_officer_in(conn: Connection, user_id: int, scope: Scope | None) -> int:
    """Delete the officer's rows (one area, or all); the caller ends their sessions too."""
    sql = "DELETE FROM officers WHERE user_id = ?"
    params: list[object] = [user_id]
    if scope is not None:
        sql += " AND scope = ? AND scope_key = ?"
        params += [scope.kind, scope.key]
    cursor = await conn.execute(sql, params)
    return cursor.rowcount
