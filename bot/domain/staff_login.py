"""Who may sign in to the staff pages, and the one-time link token that signs them in.

Why a link from the bot instead of a password: Telegram already knows who they are, so there is
nothing to remember, leak or reset. Admins and officers (of any area) may sign in; nobody else.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.permissions import admin_in
from bot.redaction import remember
from storage.store import Store


class StaffLoginService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.sessions = store.web_sessions
        self.settings = settings
        self.clock = clock

    async def may_sign_in(self, user_id: int) -> bool:
        if admin_in(self.settings, user_id):
            return True
        return bool(await self.store.officers.scopes_of(user_id))

    async def issue(self, user_id: int, name: str | None, valid_for: timedelta) -> str:
        """A one-time sign-in token, valid for ``valid_for`` (kept out of the logs)."""
        return remember(
            await self.sessions.create_login(user_id, name, self.clock.now(), valid_for)
        )
