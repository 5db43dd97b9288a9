"""Announcements to citizens and groups: who receives them, feeding them into the outbox a chunk
at a time, the admin's progress message, and cancelling.

Delivery itself is the outbox's (bot/outbox/delivery.py), at ``BROADCAST_RATE`` and after every
follow-up and alert. This module keeps the broadcast moving: it starts scheduled ones when their
time comes, tops up the outbox from the recipient cursor, and finishes them when all is sent.
The progress message is shown through a :class:`ProgressBoard` the Telegram side provides
(bot/telegram/broadcast_progress.py), so this module never imports Telegram.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.config import Settings
from bot.geo.areas import AreaIndex
from bot.i18n import Html, t
from storage.broadcasts import Audience, Broadcast, Counts
from storage.groups import Scope
from storage.store import Store

log = logging.getLogger(__name__)

PROGRESS_EVERY = timedelta(seconds=5)


class ProgressRefused(Exception):
    """Telegram refused the progress message itself (a bad request): the attempt still counts as
    shown, so the next one waits its turn."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProgressUnreachable(Exception):
    """Telegram did not take the progress message (network, flood, blocked): not counted as
    shown, so the next tick tries again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProgressBoard(Protocol):
    """Where the admin's progress message is shown."""

    async def show(self, chat_id: int, message_id: int | None, text: str) -> int | None:
        """Post the message (``message_id`` None) or edit it; returns the id of the message now
        showing it (None when a post was refused). A "not modified" edit is no failure.
        Raises :class:`ProgressRefused` or :class:`ProgressUnreachable`."""
        ...


def audience_for(areas: AreaIndex, kind: str, scope: Scope | None, days: int = 90) -> Audience:
    """Expand a scope into the kelurahan codes (for citizens) and every scope whose groups
    cover some of it (for groups: a kecamatan's own group, its kota's, its kelurahan's)."""
    if scope is None:
        return Audience(kind=kind, days=days)
    if scope.kind == "kelurahan":
        members = [a for a in areas.areas if a.code == scope.key]
    elif scope.kind == "kecamatan":
        members = [a for a in areas.areas if a.district == scope.key]
    else:
        members = [a for a in areas.areas if a.city == scope.key]
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
    """Moves broadcasts along (``tick``, every second from the job queue) and cancels them."""

    def __init__(
        self, store: Store, settings: Settings, clock: Clock, wake: Callable[[], None]
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.wake = wake
        self._lock = asyncio.Lock()

    async def tick(self, board: ProgressBoard) -> None:
        """Start due broadcasts, top up the outbox, finish and report progress."""
        if self._lock.locked():
            return
        async with self._lock:
            store = self.store.broadcasts
            now = self.clock.now()
            started = await store.start_due(now)
            for broadcast in await store.in_states("running"):
                pending = await store.pending(broadcast.id)
                chunk = chunk_size(self.settings.broadcast_rate)
                if not broadcast.exhausted and pending < chunk // 2:
                    if await store.feed(broadcast, chunk):
                        self.wake()
                    continue
                if broadcast.exhausted and pending == 0:
                    await store.finish(broadcast.id)
                    counts = await store.counts(broadcast.id)
                    await self.show_progress(board, broadcast, counts, final=True)
                    continue
                if self._progress_due(broadcast):
                    await self.show_progress(board, broadcast, await store.counts(broadcast.id))
            if started:
                self.wake()

    async def cancel(self, broadcast_id: int) -> bool:
        """Cancel a scheduled or running broadcast (its undelivered rows die); False when it had
        already finished or never existed."""
        return await self.store.broadcasts.finish(broadcast_id, "cancelled")

    def _progress_due(self, broadcast: Broadcast) -> bool:
        """The admin's progress message is edited at most every 5 s (and once at the end)."""
        if broadcast.progress_chat_id is None:
            return False
        shown = broadcast.progress_at
        now = self.clock.now()
        return shown is None or now - datetime.fromisoformat(shown) >= PROGRESS_EVERY

    async def show_progress(
        self, board: ProgressBoard, broadcast: Broadcast, counts: Counts, *, final: bool = False
    ) -> None:
        if broadcast.progress_chat_id is None:
            return
        text = await self.progress_text(broadcast, counts, final=final)
        message_id = broadcast.progress_message_id
        try:
            message_id = await board.show(broadcast.progress_chat_id, message_id, text)
        except ProgressRefused as error:
            log.warning("progress message failed", extra={"reason": error.reason})
        except ProgressUnreachable as error:
            log.warning("progress message failed", extra={"reason": error.reason})
            return
        await self.store.broadcasts.progress_shown(broadcast.id, message_id)

    async def progress_text(self, broadcast: Broadcast, counts: Counts, *, final: bool) -> Html:
        language = await self._language(broadcast.author_id)
        remaining = max(0, broadcast.total - counts.sent - counts.failed - counts.blocked)
        tally = {"id": broadcast.id, "sent": counts.sent, "failed": counts.failed}
        tally["blocked"] = counts.blocked
        if final:
            return t(language, "broadcast.finished", **tally)
        eta = self.clock.now() + timedelta(seconds=remaining / self.settings.broadcast_rate)
        local = eta.astimezone(self.settings.tz)
        return t(
            language, "broadcast.progress", remaining=remaining, eta=f"{local:%H:%M:%S}", **tally
        )

    async def _language(self, user_id: int) -> str:
        citizen = await self.store.citizens.get(user_id)
        return citizen.language if citizen else self.settings.default_language
