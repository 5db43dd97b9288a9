"""The last resort: an exception no route expected still answers in the API's error shape.

Why a middleware of our own rather than a Starlette handler for ``Exception``: Starlette's
``ServerErrorMiddleware`` re-raises after answering, so uvicorn logs the same error a second
time, and an agency's client gets plain text instead of ``[{"code": 500, …}]``. Here it is
logged once, at ERROR with its traceback (it is a bug of ours), and answered 500 in JSON. Bad
input never gets here: the routes turn it into :class:`bot.http.errors.ApiError` (4xx, INFO).
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.http.errors import error_response, wants_xml

log = logging.getLogger(__name__)


class CatchAll:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception(
                "http request failed", extra={"method": scope["method"], "path": scope["path"]}
            )
            if started:
                raise  # half an answer is out: only closing the connection is left
            refusal = error_response(
                500, "internal error; it has been logged", xml=wants_xml(scope["path"])
            )
            await refusal(scope, receive, send)
