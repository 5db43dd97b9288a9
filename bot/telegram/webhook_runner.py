"""Running the bot in webhook mode (``WEBHOOK_URL`` set): Telegram pushes updates to our server.

Why not ``Application.run_webhook``: it starts PTB's own tornado server on a second port, while
the bot already serves HTTP (health, Open311, staff pages) with uvicorn inside its event loop.
So the application runs without its updater, ``POST /telegram`` (:mod:`bot.http.webhook`) puts
updates on its queue, and this module does the life cycle ``run_polling`` would otherwise do.

The webhook is not deleted on stop: while the bot restarts Telegram keeps the updates and retries,
so nothing a citizen sends in the meantime is lost. Polling mode deletes it again at start.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.config import Settings

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class WebhookError(RuntimeError):
    """Telegram refused the webhook; the message names the setting to check."""


async def run_webhook(
    application: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    *,
    allowed_updates: list[str] | None = None,
) -> None:
    """Start the bot, register the webhook, serve until SIGINT/SIGTERM, then stop cleanly.

    The order mirrors ``run_polling``: initialize, post_init (database, HTTP server), the
    webhook, start; on the way out stop, post_stop, shutdown, post_shutdown.
    """
    assert settings.webhook_url and settings.webhook_secret, "webhook mode needs both settings"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)
            try:
                await application.bot.set_webhook(
                    settings.webhook_url,
                    secret_token=settings.webhook_secret,
                    allowed_updates=allowed_updates,
                )
            except TelegramError as error:
                raise WebhookError(
                    f"WEBHOOK_URL={settings.webhook_url}: Telegram refused the webhook "
                    f"({error.message})"
                ) from None
            await application.start()
            log.info("webhook set; waiting for updates", extra={"url": settings.webhook_url})
            try:
                await stop.wait()
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
