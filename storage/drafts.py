"""Report drafts: everything a citizen has given so far, one row per citizen.

The handler saves the draft before it answers, so whatever the citizen saw acknowledged is on disk
even if the process is killed the next instant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from storage.backend import Backend, Row
from storage.photos import PhotoRef
from storage.sqltext import utc_now


@dataclass(frozen=True)
class Draft:
    user_id: int
    chat_id: int
    token: str
    step: str
    category_key: str | None = None
    lat: float | None = None
    lon: float | None = None
    place_name: str | None = None
    address: str | None = None
    photos: tuple[PhotoRef, ...] = field(default_factory=tuple)
    photos_done: bool = False
    description: str | None = None
    nearby_done: bool = False
    candidate: dict[str, Any] | None = None  # a place found for a typed address, unconfirmed
    approximate: bool = False  # the point stands for a whole area (a typed kelurahan name)
    long_description: str | None = None  # over the limit, kept until the citizen cuts it
    created_at: str = ""
    updated_at: str = ""
    cancelled_at: str | None = None
    visibility: str | None = None  # chosen on the summary; None: the default applies

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


def _draft(row: Row) -> Draft:
    return Draft(
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        token=row["token"],
        step=row["step"],
        category_key=row["category_key"],
        lat=row["lat"],
        lon=row["lon"],
        place_name=row["place_name"],
        address=row["address"],
        photos=tuple(PhotoRef(*pair) for pair in json.loads(row["photos"])),
        photos_done=bool(row["photos_done"]),
        description=row["description"],
        nearby_done=bool(row["nearby_done"]),
        candidate=json.loads(row["candidate"]) if row["candidate"] else None,
        approximate=bool(row["approximate"]),
        long_description=row["long_description"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        cancelled_at=row["cancelled_at"],
        visibility=row["visibility"],
    )


class DraftRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def get(self, user_id: int) -> Draft | None:
        row = await self._db.fetchone("SELECT * FROM drafts WHERE user_id = ?", (user_id,))
        return _draft(row) if row else None

    async def save(self, draft: Draft) -> Draft:
        now = utc_now()
        created = draft.created_at or now
        photos = json.dumps([[p.file_id, p.file_unique_id] for p in draft.photos])
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO drafts (user_id, chat_id, token, step, category_key,"
                " lat, lon, place_name, address, photos, photos_done, description,"
                " nearby_done, candidate, approximate, long_description, created_at, updated_at,"
                " cancelled_at, visibility)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,"
                " token = excluded.token, step = excluded.step,"
                " category_key = excluded.category_key, lat = excluded.lat, lon = excluded.lon,"
                " place_name = excluded.place_name, address = excluded.address,"
                " photos = excluded.photos, photos_done = excluded.photos_done,"
                " description = excluded.description, nearby_done = excluded.nearby_done,"
                " candidate = excluded.candidate, approximate = excluded.approximate,"
                " long_description = excluded.long_description,"
                " created_at = excluded.created_at, updated_at = excluded.updated_at,"
                " cancelled_at = excluded.cancelled_at, visibility = excluded.visibility",
                (
                    draft.user_id,
                    draft.chat_id,
                    draft.token,
                    draft.step,
                    draft.category_key,
                    draft.lat,
                    draft.lon,
                    draft.place_name,
                    draft.address,
                    photos,
                    int(draft.photos_done),
                    draft.description,
                    int(draft.nearby_done),
                    json.dumps(draft.candidate) if draft.candidate else None,
                    int(draft.approximate),
                    draft.long_description,
                    created,
                    now,
                    draft.cancelled_at,
                    draft.visibility,
                ),
            )
        saved = await self.get(draft.user_id)
        assert saved is not None
        return saved

    async def delete(self, user_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
