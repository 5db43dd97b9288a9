"""API keys for agency systems: stored as SHA-256 hashes, optionally scoped to kelurahan or
tied to one agency (``agency_id``: then bot/domain/agencies.py decides which reports it reaches).

Why a hash and not the key: the database is copied into backups and read by the CLI; a leaked
copy must not let anyone act as an agency. A key has 256 random bits, so a plain (unsalted)
SHA-256 is enough: there is nothing to guess, and lookup by hash needs no constant-time compare.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from storage.backend import Backend, Row, returned_id
from storage.sqltext import utc_now

KEY_PREFIX = "wl_"  # makes a leaked key recognisable in a paste or a secret scanner


class NameTaken(ValueError):
    """An active key already has this name."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    areas: tuple[str, ...] | None  # kelurahan codes; None: every area (and outside them)
    created_at: str
    revoked_at: str | None
    agency_id: int | None = None  # an agency's key: its reports only (bot.domain.agencies)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def covers(self, area_code: str | None) -> bool:
        """Whether the key may act on a report in this kelurahan (None: outside every area,
        which only an unscoped key may touch). An agency's key has no areas: this answers for
        where it may file; which reports it reads and updates is the agency's rule."""
        if self.areas is None:
            return True
        return area_code is not None and area_code in self.areas


def _key(row: Row) -> ApiKey:
    areas = json.loads(row["areas"]) if row["areas"] is not None else None
    return ApiKey(
        id=row["id"],
        name=row["name"],
        areas=tuple(areas) if areas is not None else None,
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        agency_id=row["agency_id"],
    )


class ApiKeyRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def create(
        self, name: str, areas: list[str] | None, agency_id: int | None = None
    ) -> tuple[ApiKey, str]:
        """A new key; returns it with the plain key, which is never stored or shown again."""
        key = new_key()
        scope = json.dumps(sorted(set(areas))) if areas is not None else None
        try:
            async with self._db.transaction() as conn:
                cursor = await conn.execute(
                    "INSERT INTO api_keys (name, key_hash, areas, created_at, agency_id)"
                    " VALUES (?, ?, ?, ?, ?) RETURNING id",
                    (name, hash_key(key), scope, utc_now(), agency_id),
                )
                key_id = await returned_id(cursor)
        except self._db.integrity_errors:
            raise NameTaken(name) from None
        row = await self._db.fetchone("SELECT * FROM api_keys WHERE id = ?", (key_id,))
        assert row is not None
        return _key(row), key

    async def by_key(self, key: str) -> ApiKey | None:
        """The key's row, revoked or not (the caller tells "revoked" from "wrong")."""
        row = await self._db.fetchone("SELECT * FROM api_keys WHERE key_hash = ?", (hash_key(key),))
        return _key(row) if row else None

    async def all(self) -> list[ApiKey]:
        rows = await self._db.fetchall("SELECT * FROM api_keys ORDER BY name, id")
        return [_key(row) for row in rows]

    async def revoke(self, name: str) -> bool:
        """Revoke the active key of that name; False when there is none."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (utc_now(), name),
            )
            return cursor.rowcount > 0
