"""Taking an officer off an area: the one place that does it, for Telegram and the CLI alike.

Why sessions end in the same transaction: the staff pages read the officer's areas on every
request, but an officer removed from one area who keeps a signed-in page (or an unused sign-in
link) should not be a step behind. Removing any area signs them out everywhere; if they are still
an officer elsewhere they sign in again with /weblogin.

What this cannot stop: the administrators of a group linked to an area count as its officers
(bot/domain/permissions.py asks Telegram), so someone who is still an administrator of such a group
keeps acting there until a group admin demotes them.
"""

from __future__ import annotations

from storage.groups import Scope, remove_officer_in
from storage.store import Store
from storage.web_sessions import end_sessions_in


async def remove_officer(store: Store, user_id: int, scope: Scope | None = None) -> int:
    """Remove the officer from ``scope`` (every area when None); returns how many areas."""
    async with store.db.transaction() as conn:
        removed = await remove_officer_in(conn, user_id, scope)
        if removed:
            await end_sessions_in(conn, user_id)
    return removed
