"""``POST /telegram``: the webhook Telegram calls with updates when ``WEBHOOK_URL`` is set.

The route is always ``/telegram`` on the bot's HTTP server, whatever the path of ``WEBHOOK_URL``:
the TLS reverse proxy in front maps the public URL to ``http://HTTP_HOST:HTTP_PORT/telegram``.
A fixed path keeps it from ever shadowing another route of the server.

Why the secret check: the URL is public, and a forged update would let anyone act as any citizen
or officer. Telegram sends ``WEBHOOK_SECRET`` (given to ``setWebhook``) in the
``X-Telegram-Bot-Api-Secret-Token`` header; anything else is 403, compared in constant time.

Why answer at once: the update only goes on the application's update queue, exactly where the
poller would have put it, and the same handlers run it. Telegram waits for the 200 before sending
the next update, so handling it inside the request would slow every chat down.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, Update

from bot.http.body import read_limited
from bot.http.common import error_response, parse_json

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # Telegram's updates are a few KB; a long caption stays far below


class TelegramWebhook:
    """Turns Telegram's POSTs into updates on ``update_queue``, for the bot's own handlers."""

    def __init__(self, secret: str, bot: Bot, update_queue: asyncio.Queue[Any]) -> None:
        self.secret = secret.encode()
        self.bot = bot
        self.update_queue = update_queue

    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.warning("webhook call without the right secret token")
            # Before a byte of the body is read, and the connection closed: a stranger's body is
            # never read at all.
            return error_response(403, "wrong or missing secret token", close=True)
        body = await read_limited(request, MAX_UPDATE_BYTES)
        try:
            payload = parse_json(body)
            if not isinstance(payload, dict):
                raise ValueError("not an object")
            update = Update.de_json(payload, self.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # not update-shaped
            log.warning("webhook body is not an update", extra={"error": str(error)})
            return error_response(400, "the body must be a Telegram update as a JSON object")
        await self.update_queue.put(update)
        return Response(status_code=200)
