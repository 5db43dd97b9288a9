"""Who may sign in to the staff pages, and the one-time link token that signs them in.

Why a link from the bot instead of a password: Telegram already knows who they are, so there is
nothing to remember, leak or reset. Admins, officers (of any area) and the administrators of an
agency's linked group (its officers, bot/domain/permissions.py) may sign in; nobody else.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.permissions import GroupAdminCheck, admin_in, agencies_administered
from bot.redaction import remember
from storage.store import Store


class StaffLoginService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.sessions = store.web_sessions
        self.settings = settings
        self.clock = clock

    async def may_sign_in(
        self, user_id: int, is_group_admin: GroupAdminCheck | None = None
    ) -> bool:
        """``is_group_admin``: Telegram's answer for agency groups (None: not asked)."""
        if admin_in(self.settings, user_id):
            return True
        if await self.store.officers.scopes_of(user_id):
            return True
        if is_group_admin is None:
            return False
        return bool(await agencies_administered(self.store, is_group_admin, user_id))

    async def issue(self, user_id: int, name: str | None, valid_for: timedelta) -> str:
        """A one-time sign-in token, valid for ``valid_for`` (kept out of the logs)."""
        return remember(
            await self.sessions.create_login(user_id, name, self.clock.now(), valid_for)
        )
