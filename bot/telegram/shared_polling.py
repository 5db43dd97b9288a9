"""Long polling when several processes share a PostgreSQL database: one polls, all work.

Why not ``Application.run_polling``: it polls from the start and for the whole run, and several
processes polling one token take each other's updates (Telegram answers 409). Here every process
starts the application (handlers, jobs, the HTTP server: it takes its share of the inbox and the
outbox at once), and only the holder of the polling lease (storage/polling_lease.py) runs the
updater, whose updates go to the shared inbox. The others ask for the lease every second and the
first to get it starts polling when the poller stops or dies.

The life cycle otherwise mirrors ``run_polling`` (bot/telegram/life_cycle.py). Starting to poll
deletes a webhook, as ``run_polling`` does, and never drops pending updates.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.telegram.life_cycle import run_application
from storage.polling_lease import PollingLease
from storage.postgres import redacted

log = logging.getLogger(__name__)


def _say(text: str) -> None:
    """One line for the operator (journalctl), as the single-process bot prints its start."""
    print(f"wargalapor: {text}", file=sys.stderr, flush=True)


async def run_shared_polling(
    application: Application[Any, Any, Any, Any, Any, Any],
    url: str,
    *,
    allowed_updates: list[str] | None = None,
) -> None:
    where = redacted(url)

    async def poll(stop: asyncio.Event) -> None:
        await _poll_while_leased(application, PollingLease(url), stop, where, allowed_updates)

    await run_application(application, poll)


async def _poll_while_leased(
    application: Application[Any, Any, Any, Any, Any, Any],
    lease: PollingLease,
    stop: asyncio.Event,
    where: str,
    allowed_updates: list[str] | None,
) -> None:
    updater = application.updater
    assert updater is not None, "the application was built with an updater"

    def on_error(error: TelegramError) -> None:
        application.create_task(application.process_error(update=None, error=error))

    def waiting() -> None:
        _say(
            f"sharing the work on {where}; another process polls Telegram, this one takes over "
            "if it stops"
        )

    try:
        while not stop.is_set():
            if not await lease.acquire(stop, waiting):
                return
            _say(f"polling Telegram for every process on {where}")
            await updater.start_polling(
                allowed_updates=allowed_updates,
                drop_pending_updates=False,
                error_callback=on_error,
            )
            lost = await lease.hold(stop)
            await updater.stop()
            if lost:
                _say("lost the polling lease; asking for it again")
    finally:
        if updater.running:
            await updater.stop()
        await lease.release()
