"""What ``/metrics`` and ``/healthz`` read: one snapshot, refreshed at most every few seconds.

Why: a scrape used to be three aggregates over the whole database, and eight clients looping on
``/metrics`` made a citizen's ``/help`` wait almost two seconds for the shared reader. Now a
scrape within ``SNAPSHOT_SECONDS`` of the last refresh reads no database at all, and the refresh
itself is a few indexed rows (see storage/monitoring.py). Single-flight: scrapes arriving while
a refresh runs wait for that one instead of starting their own, so any number of scrapers cost
at most one refresh per interval.

Freshness goes by the services' clock (bot/clock.py), so a test can step past the interval; a
clock that went backwards counts as stale, so a wall-clock jump cannot freeze the figures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.clock import Clock
from storage.monitoring import MonitoringRepository, Snapshot

#: How old a snapshot may be when served: a Prometheus scrape interval is 15 s or more.
SNAPSHOT_SECONDS = 5.0

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Concurrent callers share one run of ``fetch``; the next call after it ends runs again."""

    def __init__(self, fetch: Callable[[], Awaitable[T]]) -> None:
        self._fetch = fetch
        self._running: asyncio.Future[T] | None = None

    async def __call__(self) -> T:
        if self._running is None:
            self._running = asyncio.ensure_future(self._fetch())
            self._running.add_done_callback(self._finished)
        # Shielded: one impatient caller going away must not cancel the others' answer.
        return await asyncio.shield(self._running)

    def _finished(self, future: asyncio.Future[T]) -> None:
        if self._running is future:
            self._running = None
        if not future.cancelled():
            future.exception()  # retrieved: a failure is the callers' to see, not the loop's


class CachedSnapshot:
    """The monitoring snapshot, at most ``max_age`` old, refreshed by one caller at a time."""

    def __init__(
        self,
        monitoring: MonitoringRepository,
        clock: Clock,
        max_age: timedelta = timedelta(seconds=SNAPSHOT_SECONDS),
    ) -> None:
        self.clock = clock
        self.max_age = max_age
        self._value: Snapshot | None = None
        self._taken_at: datetime | None = None
        self._refresh = SingleFlight(self._read(monitoring))
        self.refreshes = 0  # how many times the database was read (for logs and benchmarks)

    def _read(self, monitoring: MonitoringRepository) -> Callable[[], Awaitable[Snapshot]]:
        async def read() -> Snapshot:
            taken_at = self.clock.now()
            value = await monitoring.snapshot()
            self._value, self._taken_at = value, taken_at
            self.refreshes += 1
            return value

        return read

    def _fresh(self, now: datetime) -> bool:
        taken = self._taken_at
        return taken is not None and taken <= now < taken + self.max_age

    async def get(self) -> Snapshot:
        if self._value is not None and self._fresh(self.clock.now()):
            return self._value
        return await self._refresh()
