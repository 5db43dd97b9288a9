"""How fast the outbox may send: to one citizen, to a broadcast's audience, and how many at once.

Telegram drops or delays what goes faster than it tolerates, and each refusal (a 429) stalls the
chat it hits, so the outbox paces itself rather than learn the limits from errors. The numbers
that follow Telegram's limits live here, apart from the pump that uses them.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from aiolimiter import AsyncLimiter

from bot.config import TELEGRAM_MAX_RATE

CHAT_CONCURRENCY = 8  # chats served side by side in one pass
PRIVATE_BURST = 3.0  # messages one citizen may get at once ...
PRIVATE_PER_SECOND = 1.0  # ... and then one a second, as Telegram tolerates
SLOWEST_SEND_SECONDS = 0.4  # a broadcast send's round trip that still keeps the rate
MAX_IN_FLIGHT = 64  # well inside PTB's pool of 256 connections
ABOVE_TELEGRAM_IN_FLIGHT = 16  # above Telegram's rates: 1,000 a second at up to 16 ms a send
#: How bunched sends may arrive at Telegram: a second's sends arriving within 1/(1 + this).
ARRIVAL_JITTER = 0.05
_FORGET_AFTER = 10_000  # private chats remembered before the quiet ones are forgotten


def broadcast_concurrency(rate: float) -> int:
    """Sends in flight at once for broadcasts: enough to keep ``rate`` a second while each send
    takes up to ``SLOWEST_SEND_SECONDS`` (a round trip from Jakarta to Telegram's servers takes a
    good part of a second; one at a time, a broadcast would go at a fraction of its rate). The
    limiter still spaces the sends 1/rate apart, so on a fast network this is one at a time
    anyway. Each citizen has one row, so a crash repeats at most the sends in flight, to
    different citizens: nobody twice.

    Above Telegram's rates (a benchmark against a local server, where a send takes a few ms)
    the bot is CPU-bound, and more sends in flight only cost: each one keeps a connection in
    httpcore's pool, and every request checks every idle connection (a socket poll each, which
    came to most of the bot's CPU with many in flight), so at most
    ``ABOVE_TELEGRAM_IN_FLIGHT`` go at once there."""
    if rate > TELEGRAM_MAX_RATE:
        return max(1, min(ABOVE_TELEGRAM_IN_FLIGHT, int(rate // 20)))
    return max(1, min(MAX_IN_FLIGHT, math.ceil(rate * SLOWEST_SEND_SECONDS)))


def records_in_batches(rate: float) -> bool:
    """Only above Telegram's rates (a benchmark against a local server) are sends recorded
    together at the end of each page (about a second of sending), since a write per send
    would cap the rate; a crash there may repeat up to that page."""
    return rate > TELEGRAM_MAX_RATE


def after(seconds: float) -> datetime:
    """The moment a row held back for ``seconds`` becomes due again."""
    return datetime.now(UTC) + timedelta(seconds=seconds)


class PrivatePacing:
    """Telegram's tolerance for one private chat: a bucket of three messages that refills one a
    second. Groups are paced by the bot's rate limiter (bot/telegram/rate_limiter.py) instead."""

    def __init__(self) -> None:
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, monotonic time)

    def wait(self, chat_id: int) -> float:
        """Seconds before this citizen may get another message (0 for groups)."""
        if chat_id <= 0:
            return 0.0
        tokens, at = self._buckets.get(chat_id, (PRIVATE_BURST, 0.0))
        now = time.monotonic()
        tokens = min(PRIVATE_BURST, tokens + (now - at) * PRIVATE_PER_SECOND)
        self._buckets[chat_id] = (tokens, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / PRIVATE_PER_SECOND

    def spent(self, chat_id: int) -> None:
        """A message went to this chat."""
        if chat_id > 0:
            tokens, at = self._buckets.get(chat_id, (PRIVATE_BURST, time.monotonic()))
            self._buckets[chat_id] = (tokens - 1, at)
            if len(self._buckets) > _FORGET_AFTER:  # forget quiet chats; their buckets are full
                cutoff = time.monotonic() - PRIVATE_BURST / PRIVATE_PER_SECOND
                self._buckets = {k: v for k, v in self._buckets.items() if v[1] > cutoff}


def broadcast_bucket(rate: float) -> tuple[int, float]:
    """The broadcast limiter as (burst, seconds per burst).

    At Telegram's rates: one send per 1/rate seconds, never a burst, since Telegram counts any
    one-second window. Above them (paid broadcasts, up to 1,000 a second) one send per
    millisecond is finer than asyncio can sleep (a sleep of 1 ms takes 1.1 to 1.5), which held a
    broadcast at 1,000/s to 55-65 % of its rate. There a small burst is let through, and the
    bucket refills slower than the rate by the burst and by ``ARRIVAL_JITTER``: Telegram counts
    the sends as they arrive, and sends delayed on the way (a busy network, a busy server)
    arrive bunched, so a window there may hold that much more of them than left here in any
    one second. Sent steadily, 94 % of the configured rate goes out and none is refused."""
    if rate <= TELEGRAM_MAX_RATE:
        return 1, 1 / rate
    burst = max(1, int(rate // 100))
    sustained = (rate - burst) / (1 + ARRIVAL_JITTER)
    return burst, burst / sustained


class BroadcastPacing:
    """A broadcast goes at ``BROADCAST_RATE`` (:func:`broadcast_bucket`), with enough in flight
    to keep that rate."""

    def __init__(self, rate: float) -> None:
        self._rate = rate
        self._limiter: AsyncLimiter | None = None
        self.concurrency = broadcast_concurrency(rate)
        self._in_flight = asyncio.Semaphore(self.concurrency)

    @property
    def rate(self) -> float:
        return self._rate

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the sends in flight, entered at the broadcast's pace."""
        if self._limiter is None:
            self._limiter = AsyncLimiter(*broadcast_bucket(self._rate))
        async with self._in_flight:
            await self._limiter.acquire()
            yield
