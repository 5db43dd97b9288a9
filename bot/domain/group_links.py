"""Which areas a group chat receives reports for: linking and unlinking (by WargaLapor admins).

Why here: the rule "a group receives a report when one of its links covers the report's area"
is read by bot/domain/alerts.py; the links are written only through these functions.
"""

from __future__ import annotations

from storage.groups import Scope
from storage.store import Store


async def link(store: Store, chat_id: int, scope: Scope, title: str | None, by: int) -> bool:
    """Link a group to an area; False when it was linked already."""
    return bool(await store.groups.link(chat_id, [scope], title, by))


async def unlink(store: Store, chat_id: int, scopes: list[Scope] | None) -> int:
    """Unlink some areas (all of them when ``scopes`` is None); how many were removed."""
    return await store.groups.unlink(chat_id, scopes)
