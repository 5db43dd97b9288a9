"""The application's life cycle for the ways of running that ``Application.run_polling`` does not
cover (the webhook behind our own HTTP server, polling shared by several processes).

It mirrors ``run_polling``: initialize, post_init, start; on SIGINT/SIGTERM stop, post_stop,
shutdown, post_shutdown. One owner, so the two runners can't drift apart in what they clean up.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def run_application(
    application: Application[Any, Any, Any, Any, Any, Any],
    work: Callable[[asyncio.Event], Awaitable[None]],
    *,
    before_start: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run ``work(stop)`` between start and stop; ``stop`` is set by SIGINT/SIGTERM and ``work``
    returns once it is. ``before_start`` runs after post_init (the database and HTTP server are
    up), before the application takes updates."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)
            if before_start is not None:
                await before_start()
            await application.start()
            try:
                await work(stop)
            finally:
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
        finally:
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
