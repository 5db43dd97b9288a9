"""What admins and citizens change about a citizen: a ban, and whether announcements reach them.

What a ban does is in handlers/gate.py; storing it is storage/citizens.py. The rule kept here:
an admin can never be banned, whoever asks.
"""

from __future__ import annotations

from typing import Literal

from bot.config import Settings
from bot.domain.permissions import admin_in
from storage.store import Store

#: ``changed``: done now; ``unchanged``: it already was so; ``admin``: admins are never banned.
BanOutcome = Literal["changed", "unchanged", "admin"]


class CitizenService:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def ban(self, user_id: int) -> BanOutcome:
        return await self._set_banned(user_id, banned=True)

    async def unban(self, user_id: int) -> BanOutcome:
        return await self._set_banned(user_id, banned=False)

    async def _set_banned(self, user_id: int, *, banned: bool) -> BanOutcome:
        if admin_in(self.settings, user_id):
            return "admin"
        changed = await self.store.citizens.set_banned(user_id, banned=banned)
        return "changed" if changed else "unchanged"

    async def set_announcements(self, user_id: int, *, on: bool) -> bool:
        """/stop (off) and /start (on again); True when something changed."""
        return await self.store.citizens.set_announcements(user_id, on=on)
