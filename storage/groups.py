"""Which group chats cover which areas, and who are the officers of an area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, utc_now

SCOPES = ("kelurahan", "kecamatan", "kota")


@dataclass(frozen=True)
class Scope:
    """A kelurahan (key: its code), a kecamatan or a kota (key: its name)."""

    kind: str
    key: str


@dataclass(frozen=True)
class GroupLink:
    chat_id: int
    scope: Scope
    title: str | None
    linked_by: int
    linked_at: str


def _link(row: aiosqlite.Row) -> GroupLink:
    return GroupLink(
        chat_id=row["chat_id"],
        scope=Scope(row["scope"], row["scope_key"]),
        title=row["title"],
        linked_by=row["linked_by"],
        linked_at=row["linked_at"],
    )


def _scopes_clause(scopes: list[Scope]) -> tuple[str, list[str]]:
    clause = " OR ".join("(scope = ? AND scope_key = ?)" for _ in scopes)
    return f"({clause})", [value for scope in scopes for value in (scope.kind, scope.key)]


class GroupRepository:
    def __init__(self, db: Database) -> None:
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
        sql, params = "DELETE FROM area_groups WHERE chat_id = ?", [chat_id]
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
        return [_link(row) for row in rows]

    async def chats_covering(self, scopes: list[Scope]) -> list[GroupLink]:
        clause, params = _scopes_clause(scopes)
        rows = await self._db.fetchall(
            f"SELECT * FROM area_groups WHERE {clause} ORDER BY chat_id", params
        )
        return [_link(row) for row in rows]


async def migrate_chat(db: Database, old_chat_id: int, new_chat_id: int) -> None:
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


class OfficerRepository:
    def __init__(self, db: Database) -> None:
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

    async def create_invite(self, token: str, scope: Scope, by: int, expires_at: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO officer_invites (token, scope, scope_key, created_by, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (token, scope.kind, scope.key, by, utc_now(), expires_at.isoformat()),
            )

    async def redeem_invite(
        self, token: str, user_id: int, now: datetime
    ) -> tuple[str, Scope | None]:
        """Use an invite once: ('ok' | 'unknown' | 'used' | 'expired', its scope)."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM officer_invites WHERE token = ?", (token,)
            ) as cursor:
                invite = await cursor.fetchone()
            if invite is None:
                return "unknown", None
            scope = Scope(invite["scope"], invite["scope_key"])
            if invite["used_by"] is not None:
                return "used", scope
            if datetime.fromisoformat(invite["expires_at"]) <= now:
                return "expired", scope
            await conn.execute(
                "UPDATE officer_invites SET used_by = ?, used_at = ? WHERE token = ?",
                (user_id, utc_now(), token),
            )
            await conn.execute(
                "INSERT INTO officers (user_id, scope, scope_key, added_by, added_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (user_id, scope.kind, scope.key, invite["created_by"], utc_now()),
            )
            return "ok", scope
