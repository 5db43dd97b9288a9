"""Agencies (Dinas SDA, PLN, Satpol PP): the categories and areas each handles, its groups.

Why apart from storage/groups.py: an area group receives every report of its area, an agency
group only those of its agency's categories there (bot/domain/agencies.py reads the rule); the
two kinds of link are written and removed separately, and a group may be both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from storage.backend import Backend, Connection, Row
from storage.groups import Scope
from storage.sqltext import placeholders, utc_now


@dataclass(frozen=True)
class Agency:
    id: int
    name: str
    categories: tuple[str, ...]
    scopes: tuple[Scope, ...]  # empty: everywhere
    chats: tuple[int, ...]

    @classmethod
    def from_rows(
        cls, row: Row, categories: list[Row], scopes: list[Row], chats: list[Row]
    ) -> Self:
        return cls(
            id=row["id"],
            name=row["name"],
            categories=tuple(c["category_key"] for c in categories),
            scopes=tuple(Scope.from_row(s) for s in scopes),
            chats=tuple(c["chat_id"] for c in chats),
        )


def name_key(name: str) -> str:
    """How a name is compared: case and surrounding spaces do not make another agency."""
    return " ".join(name.split()).lower()


class AgencyRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def create(
        self, name: str, categories: list[str], scopes: list[Scope], by: int | None
    ) -> int | None:
        """A new agency's id, or None when one of that name exists."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO agencies (name, name_key, created_by, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (name_key) DO NOTHING RETURNING id",
                (" ".join(name.split()), name_key(name), by, utc_now()),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            agency_id = int(row[0])
            await _set_handles_in(conn, agency_id, categories, scopes)
            return agency_id

    async def update(
        self, agency_id: int, categories: list[str] | None, scopes: list[Scope] | None
    ) -> None:
        """Replace what the agency handles (None: leave that half as it is)."""
        async with self._db.transaction() as conn:
            if categories is not None:
                await conn.execute(
                    "DELETE FROM agency_categories WHERE agency_id = ?", (agency_id,)
                )
                await _set_handles_in(conn, agency_id, categories, [])
            if scopes is not None:
                await conn.execute("DELETE FROM agency_areas WHERE agency_id = ?", (agency_id,))
                await _set_handles_in(conn, agency_id, [], scopes)

    async def remove(self, agency_id: int) -> None:
        """The agency, its links and what it handles; its handed-over reports fall back to
        their area's routing (the hand-off history keeps its name). Its API keys are revoked:
        a key that lost its agency must not become a key for everywhere."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?), agency_id = NULL,"
                " areas = ? WHERE agency_id = ?",
                (utc_now(), "[]", agency_id),
            )
            await conn.execute(
                "UPDATE reports SET agency_id = NULL WHERE agency_id = ?", (agency_id,)
            )
            for table in ("agency_categories", "agency_areas", "agency_groups"):
                await conn.execute(f"DELETE FROM {table} WHERE agency_id = ?", (agency_id,))
            await conn.execute("DELETE FROM agencies WHERE id = ?", (agency_id,))

    async def link(self, agency_id: int, chat_id: int, title: str | None, by: int | None) -> bool:
        """False when the group was linked to the agency already."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO agency_groups (chat_id, agency_id, title, linked_by, linked_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (chat_id, agency_id, title, by, utc_now()),
            )
            return cursor.rowcount > 0

    async def unlink(self, chat_id: int, agency_id: int | None = None) -> int:
        """Unlink the group from one agency, or from all; how many links went."""
        sql = "DELETE FROM agency_groups WHERE chat_id = ?"
        params: list[object] = [chat_id]
        if agency_id is not None:
            sql += " AND agency_id = ?"
            params.append(agency_id)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def exist(self) -> bool:
        """Whether any agency is set up (cards offer a hand-off only then)."""
        return await self._db.fetchone("SELECT 1 FROM agencies LIMIT 1") is not None

    async def by_name(self, name: str) -> Agency | None:
        row = await self._db.fetchone(
            "SELECT * FROM agencies WHERE name_key = ?", (name_key(name),)
        )
        return await self._full(row) if row else None

    async def get(self, agency_id: int) -> Agency | None:
        row = await self._db.fetchone("SELECT * FROM agencies WHERE id = ?", (agency_id,))
        return await self._full(row) if row else None

    async def all(self) -> list[Agency]:
        rows = await self._db.fetchall("SELECT * FROM agencies ORDER BY name_key")
        return [await self._full(row) for row in rows]

    async def of_chat(self, chat_id: int) -> list[Agency]:
        """The agencies a group is linked to."""
        rows = await self._db.fetchall(
            "SELECT a.* FROM agencies a JOIN agency_groups g ON g.agency_id = a.id"
            " WHERE g.chat_id = ? ORDER BY a.name_key",
            (chat_id,),
        )
        return [await self._full(row) for row in rows]

    async def handling(self, category_key: str, scopes: list[Scope]) -> list[Agency]:
        """The agencies that handle the category in any of ``scopes`` (or everywhere)."""
        params: list[object] = [category_key]
        clause = "NOT EXISTS (SELECT 1 FROM agency_areas x WHERE x.agency_id = a.id)"
        if scopes:
            pairs = " OR ".join("(s.scope = ? AND s.scope_key = ?)" for _ in scopes)
            clause += (
                f" OR EXISTS (SELECT 1 FROM agency_areas s WHERE s.agency_id = a.id AND ({pairs}))"
            )
            params += [value for scope in scopes for value in (scope.kind, scope.key)]
        rows = await self._db.fetchall(
            "SELECT a.* FROM agencies a JOIN agency_categories c ON c.agency_id = a.id"
            f" WHERE c.category_key = ? AND ({clause}) ORDER BY a.name_key",
            params,
        )
        return [await self._full(row) for row in rows]

    async def names(self, ids: list[int]) -> dict[int, str]:
        """Agency names by id, for lists that show many reports' owners."""
        if not ids:
            return {}
        rows = await self._db.fetchall(
            f"SELECT id, name FROM agencies WHERE id IN ({placeholders(ids)})", ids
        )
        return {row["id"]: row["name"] for row in rows}

    async def _full(self, row: Row) -> Agency:
        agency_id = row["id"]
        categories = await self._db.fetchall(
            "SELECT category_key FROM agency_categories WHERE agency_id = ? ORDER BY category_key",
            (agency_id,),
        )
        scopes = await self._db.fetchall(
            "SELECT scope, scope_key FROM agency_areas WHERE agency_id = ?"
            " ORDER BY scope DESC, scope_key",
            (agency_id,),
        )
        chats = await self._db.fetchall(
            "SELECT chat_id FROM agency_groups WHERE agency_id = ? ORDER BY chat_id",
            (agency_id,),
        )
        return Agency.from_rows(row, categories, scopes, chats)


async def _set_handles_in(
    conn: Connection, agency_id: int, categories: list[str], scopes: list[Scope]
) -> None:
    for key in categories:
        await conn.execute(
            "INSERT INTO agency_categories (agency_id, category_key) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (agency_id, key),
        )
    for scope in scopes:
        await conn.execute(
            "INSERT INTO agency_areas (agency_id, scope, scope_key) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (agency_id, scope.kind, scope.key),
        )
