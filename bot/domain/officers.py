"""Officers: invites to an area, and taking an officer off an area, for Telegram and the CLI alike.

An invite is a one-time deep link for one area; only the hash of its token is stored
(storage/groups.py), and the short id shown with the link is what /invites and
``officer revoke-invite`` name it by.

Why sessions end in the same transaction as a removal: the staff pages read the officer's areas
on every request, but an officer removed from one area who keeps a signed-in page (or an unused
sign-in link) should not be a step behind. Removing any area signs them out everywhere; if they
are still an officer elsewhere they sign in again with /weblogin.

What this cannot stop: the administrators of a group linked to an area count as its officers
(bot/domain/permissions.py asks Telegram), so someone who is still an administrator of such a group
keeps acting there until a group admin demotes them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.redaction import remember
from storage.groups import Scope, remove_officer_in
from storage.store import Store
from storage.web_sessions import end_sessions_in

INVITE_VALID_FOR = timedelta(days=7)


async def remove_officer(store: Store, user_id: int, scope: Scope | None = None) -> int:
    """Remove the officer from ``scope`` (every area when None); returns how many areas."""
    async with store.db.transaction() as conn:
        removed = await remove_officer_in(conn, user_id, scope)
        if removed:
            await end_sessions_in(conn, user_id)
    return removed


@dataclass(frozen=True)
class NewInvite:
    id: int
    token: str  # shown once, in the link; registered with the log redaction
    expires_at: datetime


class OfficerService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def invite(self, scope: Scope, by: int) -> NewInvite:
        """A one-time invite to ``scope``, valid for :data:`INVITE_VALID_FOR`."""
        token = remember(secrets.token_urlsafe(16))  # kept out of the logs
        expires = datetime.now(UTC) + INVITE_VALID_FOR
        invite_id = await self.store.officers.create_invite(token, scope, by, expires)
        return NewInvite(invite_id, token, expires)

    async def redeem(self, token: str, user_id: int, name: str | None) -> tuple[str, Scope | None]:
        """('ok' | 'unknown' | 'used' | 'revoked' | 'expired', the invite's area)."""
        return await self.store.officers.redeem_invite(token, user_id, datetime.now(UTC), name=name)

    async def revoke_invite(self, invite_id: int) -> bool:
        """Withdraw an open invite at once; False when it is used, expired or gone."""
        return await self.store.officers.revoke_invite(invite_id, datetime.now(UTC))

    async def remove(self, user_id: int, scope: Scope | None = None) -> int:
        return await remove_officer(self.store, user_id, scope)
