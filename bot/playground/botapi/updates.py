"""How the bot gets updates: getUpdates long polling, webhooks, and the bot's own identity.

The long poll behaves like Telegram's where it matters to a bot: updates are confirmed by
``offset``, a second poller supersedes the first with 409, and getUpdates is refused while a
webhook is set.
"""

from __future__ import annotations

import asyncio
import copy

from .base import ApiBase
from .protocol import ApiError, Ctx, bad_request
from .records import JSONDict
from .world import DEFAULT_ALLOWED_UPDATES


class UpdateMethods(ApiBase):
    """getMe, logOut, close, the webhook methods and getUpdates."""

    async def m_getMe(self, ctx: Ctx) -> JSONDict:
        return dict(self.world.bot_user)

    async def m_logOut(self, ctx: Ctx) -> bool:
        return True

    async def m_close(self, ctx: Ctx) -> bool:
        return True

    async def m_setWebhook(self, ctx: Ctx) -> bool:
        """Store the webhook; while set, getUpdates answers 409 like Telegram."""
        url = ctx.params.get("url")
        if not isinstance(url, str):
            raise bad_request("bad webhook: URL must be provided")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.world.webhook = {"url": url, **{k: v for k, v in ctx.params.items() if k != "url"}}
        if ctx.params.get("drop_pending_updates"):
            self.world.pending.clear()
        self.world.notify()
        return True

    async def m_deleteWebhook(self, ctx: Ctx) -> bool:
        self.world.webhook = {"url": ""}
        if ctx.params.get("drop_pending_updates"):
            self.world.pending.clear()
        self.world.notify()
        return True

    async def m_getWebhookInfo(self, ctx: Ctx) -> JSONDict:
        info: JSONDict = {
            "url": self.world.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.pending),
        }
        if self.world.allowed_updates != DEFAULT_ALLOWED_UPDATES:
            info["allowed_updates"] = sorted(self.world.allowed_updates)
        return info

    async def m_getUpdates(self, ctx: Ctx) -> list[JSONDict]:
        """Long poll: confirm below ``offset``, wait up to ``timeout`` s, 409 if superseded."""
        world = self.world
        if world.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = ctx.params.get("offset")
        if isinstance(offset, int) and offset != 0:
            world.confirm(offset)
        limit = ctx.params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = ctx.params.get("timeout")
        timeout = max(0.0, float(timeout)) if isinstance(timeout, int | float) else 0.0
        allowed = ctx.params.get("allowed_updates")
        if isinstance(allowed, list):
            world.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        world.poll_generation += 1
        generation = world.poll_generation
        world.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if world.poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if ctx.client_gone():
                return []  # nobody will read it; do not count the updates as delivered
            updates = world.deliverable(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or world.closing:
                break
            await world.wait_change(min(remaining, 0.25))
        world.mark_delivered(updates)
        return copy.deepcopy(updates)
