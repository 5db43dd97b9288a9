"""The citizen record: registered on first contact, their language, their announcements, a ban.

Why here and not in handlers: the Telegram adapter, the CLI and future front ends change a
citizen the same way, and handlers write nothing to storage themselves. What a ban does is in
handlers/gate.py; the rule kept here: an admin can never be banned, whoever asks.
"""

from __future__ import annotations

from typing import Literal

from bot.config import Settings
from bot.domain.permissions import admin_in
from storage.citizens import Citizen
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


async def register(store: Store, user_id: int, chat_id: int, language: str) -> Citizen:
    """A person in a private chat is a citizen from now on; one who had blocked the bot and came
    back is reachable again. ``language`` is only a first guess (their app's)."""
    return await store.citizens.ensure(user_id, chat_id, language)


async def choose_language(store: Store, user_id: int, language: str) -> None:
    """The citizen's own choice, which from now on wins over their app's language."""
    await store.citizens.set_language(user_id, language)
