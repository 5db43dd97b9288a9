"""The areas table mirrors the boundary file so SQL (statistics, exports) can join on it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.backend import Backend


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    district: str
    city: str
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float


class AreaRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def sync(self, areas: Iterable[AreaRow]) -> None:
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO areas (code, name, district, city, min_lat, min_lon, max_lat,"
                " max_lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET"
                " name = excluded.name, district = excluded.district, city = excluded.city,"
                " min_lat = excluded.min_lat, min_lon = excluded.min_lon,"
                " max_lat = excluded.max_lat, max_lon = excluded.max_lon",
                [
                    (a.code, a.name, a.district, a.city, a.min_lat, a.min_lon, a.max_lat, a.max_lon)
                    for a in areas
                ],
            )

    async def count(self) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) AS n FROM areas")
        return int(row["n"]) if row else 0
