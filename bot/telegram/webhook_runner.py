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
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.config import Settings
from bot.telegram.life_cycle import run_application

log = logging.getLogger(__name__)


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
    webhook_url = settings.webhook_url

    async def register() -> None:
        try:
            await application.bot.set_webhook(
                webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=allowed_updates,
            )
        except TelegramError as error:
            raise WebhookError(
                f"WEBHOOK_URL={webhook_url}: Telegram refused the webhook ({error.message})"
            ) from None

    async def serve(stop: asyncio.Event) -> None:
        log.info("webhook set; waiting for updates", extra={"url": webhook_url})
        await stop.wait()

    await run_application(application, serve, before_start=register)
