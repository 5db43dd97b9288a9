"""Cached geocoder answers, "nothing found" included, each valid for a limited time.

Why cache misses too: a citizen who retypes an address Nominatim does not know would otherwise
spend a rate-limited request each time. Why an age limit: streets get added and renamed, so an
answer, and especially a miss, should eventually be asked again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.backend import Backend
from storage.sqltext import iso, utc_now

DEFAULT_MAX_AGE = timedelta(days=30)


def _cutoff(max_age: timedelta) -> str:
    """The oldest ``created_at`` still valid, in :func:`utc_now`'s format so strings compare."""
    return iso(datetime.now(UTC) - max_age)


class GeocodeCacheRepository:
    def __init__(self, db: Backend, *, max_age: timedelta = DEFAULT_MAX_AGE) -> None:
        self._db = db
        self.max_age = max_age

    async def get(self, kind: str, query: str) -> tuple[bool, dict[str, Any] | None]:
        """``(True, value)`` when fresh (value None: "nothing found"), otherwise ``(False, None)``.

        An unreadable row counts as a miss: the caller asks the geocoder again and overwrites it.
        """
        row = await self._db.fetchone(
            "SELECT result FROM geocode_cache WHERE kind = ? AND query = ? AND created_at >= ?",
            (kind, query, _cutoff(self.max_age)),
        )
        if row is None:
            return False, None
        if row["result"] is None:
            return True, None
        try:
            value = json.loads(row["result"])
        except ValueError:
            return False, None
        if not isinstance(value, dict):
            return False, None
        return True, value

    async def put(self, kind: str, query: str, value: dict[str, Any] | None) -> None:
        result = None if value is None else json.dumps(value, ensure_ascii=False)
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO geocode_cache (kind, query, result, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (kind, query)"
                " DO UPDATE SET result = excluded.result, created_at = excluded.created_at",
                (kind, query, result, utc_now()),
            )

    async def delete_expired(self) -> int:
        """Drop entries older than the age limit (they are never served); return how many."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM geocode_cache WHERE created_at < ?", (_cutoff(self.max_age),)
            )
            return cursor.rowcount
