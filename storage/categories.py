"""Report categories, seeded from the bundled TOML so operators edit one file, not the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.attributes import Attribute
from storage.backend import Backend, Row


@dataclass(frozen=True)
class Category:
    key: str
    emoji: str
    name_id: str
    name_en: str
    sla_hours: int
    photo_required: bool
    active: bool = True
    position: int = 0
    sensitive: bool = False  # from the TOML only: the public API leaves these out
    # From the TOML only, for Open311's service list and definitions:
    group_id: str | None = None  # the service's group, e.g. "Lingkungan"
    group_en: str | None = None
    keywords: tuple[str, ...] = ()  # search words beyond the names
    #: From the TOML only: whether an officer's "✅ Selesai" needs an after photo ("required")
    #: or may go without one, with a reason ("optional").
    resolve_photo: str = "optional"
    attributes: tuple[Attribute, ...] = ()  # the extra questions, in their order

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id

    def label(self, language: str) -> str:
        return f"{self.emoji} {self.name(language)}"

    def group(self, language: str) -> str | None:
        return (self.group_en if language == "en" else self.group_id) or self.group_id

    @property
    def after_photo_required(self) -> bool:
        return self.resolve_photo == "required"

    def attribute(self, code: str) -> Attribute | None:
        return next((attribute for attribute in self.attributes if attribute.code == code), None)


def _category(row: Row) -> Category:
    return Category(
        key=row["key"],
        emoji=row["emoji"],
        name_id=row["name_id"],
        name_en=row["name_en"],
        sla_hours=row["sla_hours"],
        photo_required=bool(row["photo_required"]),
        active=bool(row["active"]),
        position=row["position"],
    )


class CategoryRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def sync(self, categories: Sequence[Category]) -> None:
        """Make the table match the bundled list; categories no longer listed become inactive.

        Inactive rather than deleted, because old reports still point at them.
        """
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE categories SET active = 0")
            for position, cat in enumerate(categories):
                await conn.execute(
                    "INSERT INTO categories (key, emoji, name_id, name_en, sla_hours,"
                    " photo_required, active, position) VALUES (?, ?, ?, ?, ?, ?, 1, ?)"
                    " ON CONFLICT(key) DO UPDATE SET emoji = excluded.emoji,"
                    " name_id = excluded.name_id, name_en = excluded.name_en,"
                    " sla_hours = excluded.sla_hours, photo_required = excluded.photo_required,"
                    " active = 1, position = excluded.position",
                    (
                        cat.key,
                        cat.emoji,
                        cat.name_id,
                        cat.name_en,
                        cat.sla_hours,
                        int(cat.photo_required),
                        position,
                    ),
                )

    async def all(self, *, active_only: bool = True) -> list[Category]:
        sql = "SELECT * FROM categories"
        if active_only:
            sql += " WHERE active = 1"
        rows = await self._db.fetchall(sql + " ORDER BY position")
        return [_category(row) for row in rows]
