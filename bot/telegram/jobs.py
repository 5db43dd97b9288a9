"""The scheduler's jobs (PTB's JobQueue, on APScheduler): the outbox drain, the evidence job,
the sweeps and the broadcast feed, and how fast the bot may send.

Several processes on one database each run all of them. The drain needs nothing more: each
process sends only its share of the chats (storage/workers.py ``Share``), claiming rows as it
goes. The others are passes over the whole database that one process should make per tick, so
each runs under a lease (``storage.workers.LeasesRepository``): the holder renews it every tick,
and when it stops (it died or stopped), another process takes the job over once the lease runs
out -- a few ticks, never more than :data:`LEASE_FLOOR_SECONDS` plus three of its ticks.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application

from bot.config import Settings
from bot.domain.sweeps import Sweeps
from bot.outbox.delivery import Delivery
from bot.services import Services
from bot.telegram.broadcast_progress import TelegramProgressBoard
from bot.telegram.context import BotContext
from bot.telegram.evidence_job import start_evidence_job

BROADCAST_TICK_SECONDS = 1.0  # starts due broadcasts, tops up the outbox, edits progress
#: A lease outlives three missed ticks, and never less than this (a stalled holder's GC pause
#: must not hand a job to a second process while the first still runs it).
LEASE_FLOOR_SECONDS = 15.0

BotApplication = Application[Any, BotContext, Any, Any, Any, Any]
Job = Callable[[BotContext], Coroutine[Any, Any, None]]


def under_lease(services: Services, name: str, every: float, job: Job) -> Job:
    """``job`` run only by the process holding the lease ``name`` (see the module docstring)."""
    seconds = max(LEASE_FLOOR_SECONDS, 3 * every)
    # The processes' own time, not the services' clock: a lease is about processes (the tests
    # move the services' clock by days to make reports overdue).

    async def leased(context: BotContext) -> None:
        worker = services.worker.worker_id
        if await services.store.leases.hold(name, worker, datetime.now(UTC), seconds):
            await job(context)

    return leased


def start_jobs(application: BotApplication, services: Services) -> Delivery:
    """The outbox drain (a steady poll for rows from other processes, plus a wake-up per change
    in this one), the evidence job, the sweeps (reminders, surveys, closing) and the feed."""
    delivery = Delivery(application.bot, services)
    delivery.keep_going = lambda: application.running
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    settings = services.settings

    async def drain(_: BotContext) -> None:
        await delivery.drain()

    job_queue.run_repeating(drain, interval=settings.outbox_poll_seconds, first=0.1, name="outbox")

    collect_soon = start_evidence_job(job_queue, application.bot, services, under_lease)

    def wake(delay: float = 0) -> None:
        job_queue.run_once(drain, delay, name="outbox-wake")
        collect_soon(delay)  # whatever woke the outbox may have brought a photo

    services.waker.connect(wake)
    delivery.schedule_wake = wake
    sweeps = Sweeps(services)

    async def sweep(_: BotContext) -> None:
        await sweeps.run()

    every = settings.sweep_seconds
    job_queue.run_repeating(
        under_lease(services, "sweeps", every, sweep), interval=every, first=1, name="sweeps"
    )
    board = TelegramProgressBoard(application.bot)

    async def feed(_: BotContext) -> None:
        await services.broadcasts.tick(board)

    job_queue.run_repeating(
        under_lease(services, "broadcasts", BROADCAST_TICK_SECONDS, feed),
        interval=BROADCAST_TICK_SECONDS,
        first=0.5,
        name="broadcasts",
    )
    return delivery


def pace(settings: Settings) -> tuple[int, float]:
    """The global limiter as (burst, seconds per burst). A leaky bucket lets ``burst`` through
    at once and then refills at the rate, so any one-second window sees at most burst + rate:
    2 + 26 = 28 at Telegram's rates (under 30, with room for timer jitter), and a reply's two
    messages do not wait on each other. Above Telegram's rates (a benchmark) bursts grow, since
    asyncio cannot sleep finer than about a millisecond. Several processes each take their
    share of it (bot/telegram/workers.py)."""
    per_second = max(26.0, settings.broadcast_rate + 1)
    burst = max(2, int(per_second // 14))
    return burst, burst / per_second
