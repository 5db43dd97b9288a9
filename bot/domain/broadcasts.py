"""Announcements to citizens and groups: who receives them, feeding them into the outbox a chunk
at a time, and the admin's progress message.

Delivery itself is the outbox's (bot/outbox/delivery.py), at ``BROADCAST_RATE`` and after every
follow-up and alert. This module keeps the broadcast moving: it starts scheduled ones when their
time comes, tops up the outbox from the recipient cursor, and finishes them when all is sent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.i18n import Html, t
from bot.services import Services
from storage.broadcasts import Audience, Broadcast, Counts
from storage.groups import Scope

log = logging.getLogger(__name__)

PROGRESS_EVERY = timedelta(seconds=5)


def audience_for(services: Services, kind: str, scope: Scope | None, days: int = 90) -> Audience:
    """Expand a scope into the kelurahan codes (for citizens) and every scope whose groups
    cover some of it (for groups: a kecamatan's own group, its kota's, its kelurahan's)."""
    if scope is None:
        return Audience(kind=kind, days=days)
    areas = services.areas.areas
    if scope.kind == "kelurahan":
        members = [a for a in areas if a.code == scope.key]
    elif scope.kind == "kecamatan":
        members = [a for a in areas if a.district == scope.key]
    else:
        members = [a for a in areas if a.city == scope.key]
    codes = tuple(a.code for a in members)
    scopes = {Scope("kelurahan", a.code) for a in members}
    scopes |= {Scope("kecamatan", a.district) for a in members}
    scopes |= {Scope("kota", a.city) for a in members}
    return Audience(
        kind=kind,
        scope=scope,
        area_codes=codes,
        group_scopes=tuple(sorted(scopes, key=lambda s: (s.kind, s.key))),
        days=days,
    )


def chunk_size(rate: float) -> int:
    """Enough rows for several seconds of sending; few enough to keep memory flat."""
    return max(200, min(5000, int(rate * 10)))


class BroadcastService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._lock = asyncio.Lock()

    async def tick(self, bot: Bot) -> None:
        """Start due broadcasts, top up the outbox, finish and report progress."""
        if self._lock.locked():
            return
        async with self._lock:
            store = self.services.store.broadcasts
            now = self.services.clock.now()
            started = await store.start_due(now)
            for broadcast in await store.in_states("running"):
                pending = await store.pending(broadcast.id)
                chunk = chunk_size(self.services.settings.broadcast_rate)
                if not broadcast.exhausted and pending < chunk // 2:
                    if await store.feed(broadcast, chunk):
                        self.services.waker()
                    continue
                if broadcast.exhausted and pending == 0:
                    await store.finish(broadcast.id)
                    counts = await store.counts(broadcast.id)
                    await self.show_progress(bot, broadcast, counts, final=True)
                    continue
                if self._progress_due(broadcast):
                    await self.show_progress(bot, broadcast, await store.counts(broadcast.id))
            if started:
                self.services.waker()

    def _progress_due(self, broadcast: Broadcast) -> bool:
        """The admin's progress message is edited at most every 5 s (and once at the end)."""
        if broadcast.progress_chat_id is None:
            return False
        shown = broadcast.progress_at
        now = self.services.clock.now()
        return shown is None or now - datetime.fromisoformat(shown) >= PROGRESS_EVERY

    async def show_progress(
        self, bot: Bot, broadcast: Broadcast, counts: Counts, *, final: bool = False
    ) -> None:
        if broadcast.progress_chat_id is None:
            return
        text = await self.progress_text(broadcast, counts, final=final)
        message_id = broadcast.progress_message_id
        try:
            if message_id is None:
                sent = await bot.send_message(
                    broadcast.progress_chat_id, text, parse_mode=ParseMode.HTML
                )
                message_id = sent.message_id
            else:
                await bot.edit_message_text(
                    text,
                    chat_id=broadcast.progress_chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                )
        except BadRequest as error:
            if "not modified" not in error.message:
                log.warning("progress message failed", extra={"reason": error.message})
        except TelegramError as error:
            log.warning("progress message failed", extra={"reason": str(error)})
            return
        await self.services.store.broadcasts.progress_shown(broadcast.id, message_id)

    async def progress_text(self, broadcast: Broadcast, counts: Counts, *, final: bool) -> Html:
        language = await self._language(broadcast.author_id)
        remaining = max(0, broadcast.total - counts.sent - counts.failed - counts.blocked)
        if final:
            return t(
                language,
                "broadcast.finished",
                id=broadcast.id,
                sent=counts.sent,
                failed=counts.failed,
                blocked=counts.blocked,
            )
        rate = self.services.settings.broadcast_rate
        eta = self.services.clock.now() + timedelta(seconds=remaining / rate)
        local = eta.astimezone(self.services.settings.tz)
        return t(
            language,
            "broadcast.progress",
            id=broadcast.id,
            sent=counts.sent,
            failed=counts.failed,
            blocked=counts.blocked,
            remaining=remaining,
            eta=f"{local:%H:%M:%S}",
        )

    async def _language(self, user_id: int) -> str:
        citizen = await self.services.store.citizens.get(user_id)
        return citizen.language if citizen else self.services.settings.default_language
