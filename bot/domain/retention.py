"""The retention sweep: how long each kind of row is kept (the statements: storage/retention.py).

Why: the outbox gains a row per message (a broadcast to 60,000 citizens is 60,000 rows), the
inbox one per update, and nothing removed them; a database that only grows gets slower to back
up and keeps citizens' data longer than any feature needs. Ages:

- delivered outbox messages and handled updates: ``RETENTION_DAYS`` (default 30) after sending
  or handling; at least 2, because a handled update's id is what recognises Telegram resending it
  (it keeps an unconfirmed update for a day);
- messages that failed for good: ``RETENTION_DEAD_DAYS`` (default 90) after their last attempt,
  longer because they are what an operator looks into ("why did Gambir's group get nothing?")
  and what ``/broadcasts`` counts as failed;
- staff sessions at expiry; sign-in links and officer invites a day after expiry; geocoder
  answers at the cache's own age limit; officers' questions in groups (which lapse in half an
  hour) at ``RETENTION_DAYS``, like the messages that asked them.

It runs with the other sweeps (every ``SWEEP_SECONDS``); each pass deletes at most
``MAX_BATCHES`` batches per kind, yielding between batches so citizens' writes go in between,
and a backlog of a million rows clears over a few passes instead of holding the writer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.config import Settings
from storage.backend import Backend
from storage.geocache import DEFAULT_MAX_AGE as GEOCODE_MAX_AGE
from storage.retention import BATCH, BATCHED, TARGETS, RetentionRepository

log = logging.getLogger(__name__)

MAX_BATCHES = 20  # per kind and pass: 100,000 rows a minute at most
EXPIRED_GRACE = timedelta(days=1)  # a late click on a link still reads "expired"


def cutoffs(settings: Settings, now: datetime) -> dict[str, datetime]:
    """For each kind of row, the moment before which it goes."""
    kept = timedelta(days=settings.retention_days)
    return {
        "outbox_sent": now - kept,
        "outbox_dead": now - timedelta(days=settings.retention_dead_days),
        "inbox": now - kept,
        "web_sessions": now,
        "web_logins": now - EXPIRED_GRACE,
        "officer_invites": now - EXPIRED_GRACE,
        "geocode_cache": now - GEOCODE_MAX_AGE,
        "questions": now - kept,
    }


class Retention:
    def __init__(self, settings: Settings, db: Backend) -> None:
        self.settings = settings
        self.repository = RetentionRepository(db)
        assert set(cutoffs(settings, datetime.now())) == set(TARGETS)

    async def run(self, now: datetime) -> dict[str, int]:
        """One pass; returns the rows deleted per kind (kinds with none left out)."""
        deleted: dict[str, int] = {}
        for target, moment in cutoffs(self.settings, now).items():
            before = moment.isoformat(timespec="seconds")
            total = 0
            for _ in range(MAX_BATCHES if target in BATCHED else 1):
                rows = await self.repository.prune_batch(target, before)
                total += rows
                if rows < BATCH or target not in BATCHED:
                    break
                await asyncio.sleep(0)  # the writer lock is fair: waiting writes go first
            if total:
                deleted[target] = total
        if deleted:
            log.info("old rows deleted", extra={"deleted": deleted})
        return deleted
