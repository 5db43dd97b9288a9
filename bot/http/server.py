"""The Starlette app, and uvicorn serving it inside the bot's own event loop.

Why in-process rather than a second program: the API's writes must go through the same
services, the same single-writer database connection and the same outbox wake-up as the bot's,
and one process is one thing to deploy and supervise. uvicorn runs as an asyncio task started
by the bot's ``post_init`` and stopped by its ``post_shutdown``.

The listening socket is bound before the task starts, so a port already in use stops the bot at
start-up with a readable error, instead of uvicorn's ``sys.exit`` inside a task. uvicorn's own
signal handling is switched off: python-telegram-bot owns SIGINT/SIGTERM and, on them, runs
``post_shutdown``, which stops this server. Access logs are off because a GeoReport client may
put its ``api_key`` in the query string (where it is refused, but after the URL was sent).

The port may face the internet, so uvicorn runs with bounds (:func:`uvicorn_limits`): at most
``HTTP_MAX_CONNECTIONS`` connections (503 beyond), request heads of at most 8 KB that must
arrive within ``HTTP_READ_TIMEOUT_SECONDS`` (:mod:`bot.http.protocol`), idle keep-alive
connections closed after ``HTTP_KEEP_ALIVE_SECONDS``; bodies are bounded by :mod:`bot.http.body`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Generator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from telegram.ext import Application

from bot.config import Settings
from bot.http.catchall import CatchAll
from bot.http.common import ApiError, api_error, http_error
from bot.http.health import HealthApi
from bot.http.open311 import Open311Api
from bot.http.protocol import guarded_protocol
from bot.http.staff import StaffPages
from bot.http.updates import UpdatesApi
from bot.http.webhook import TelegramWebhook
from bot.services import Services

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10.0
GRACEFUL_SHUTDOWN_SECONDS = 5
MAX_HEAD_BYTES = 8 * 1024  # request line and headers, as nginx's default buffers; ours are small


class HttpServerError(RuntimeError):
    """The server cannot start; the message names the setting to change."""


def build_app(
    services: Services,
    *,
    polling: Callable[[], bool] | None = None,
    application: Application[Any, Any, Any, Any, Any, Any] | None = None,
) -> Starlette:
    """Every route over ``services``; ``polling`` tells ``/healthz`` whether the bot polls.

    ``POST /telegram`` is mounted only when ``WEBHOOK_URL`` is set, and needs ``application``:
    its updates go on that application's queue.
    """
    open311 = Open311Api(services, application.bot if application else None)
    routes = [
        *HealthApi(services, polling).routes(),
        *open311.routes(),
        *UpdatesApi(services, open311.renderer).routes(),
        *StaffPages(services, application.bot if application else None).routes(),
    ]
    settings = services.settings
    if settings.webhook_url and settings.webhook_secret:
        if application is None:
            raise HttpServerError("WEBHOOK_URL is set: the webhook route needs the Application")
        webhook = TelegramWebhook(
            settings.webhook_secret, application.bot, application.update_queue
        )
        routes.extend(webhook.routes())
    app = Starlette(
        routes=routes,
        middleware=[Middleware(CatchAll)],
        exception_handlers={ApiError: api_error, HTTPException: http_error},
    )
    app.state.read_timeout_seconds = settings.http_read_timeout_seconds
    return app


def uvicorn_limits(settings: Settings) -> dict[str, Any]:
    """The ``uvicorn.Config`` arguments that bound what one client can hold."""
    return {
        "http": guarded_protocol(settings.http_read_timeout_seconds),
        "limit_concurrency": settings.http_max_connections,
        "timeout_keep_alive": settings.http_keep_alive_seconds,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }


class _NoColour(logging.Filter):
    """uvicorn adds an ANSI-coloured copy of some messages; the bot's JSON log needs none."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("color_message", None)
        return True


_UVICORN_LOG = logging.getLogger("uvicorn.error")
if not any(isinstance(f, _NoColour) for f in _UVICORN_LOG.filters):
    _UVICORN_LOG.addFilter(_NoColour())


class _InLoopServer(uvicorn.Server):
    """uvicorn's server without its signal handlers (the bot's own handle the signals)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:  # uvicorn ≥ 0.29
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn
        return


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise HttpServerError(
            f"HTTP_HOST={host} HTTP_PORT={port}: cannot listen there ({error.strerror or error});"
            " choose another HTTP_PORT, or leave it empty for no HTTP server"
        ) from None
    return sock


class HttpServer:
    def __init__(self, app: Starlette, settings: Settings) -> None:
        assert settings.http_port is not None
        self.host = settings.http_host
        self.port = settings.http_port
        self._config = uvicorn.Config(
            app,
            **uvicorn_limits(settings),
            log_config=None,  # keep the bot's JSON logging
            access_log=False,
            lifespan="off",
            ws="none",
            server_header=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        self._server = _InLoopServer(self._config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen, and return once requests are being served."""
        sock = _listen(self.host, self.port)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="http-server")
        async with asyncio.timeout(START_TIMEOUT_SECONDS):
            while not self._server.started:
                if self._task.done():
                    sock.close()
                    error = self._task.exception()
                    raise HttpServerError(f"HTTP server stopped at start: {error!r}")
                await asyncio.sleep(0.01)
        log.info("http server listening", extra={"host": self.host, "port": self.port})

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(task, GRACEFUL_SHUTDOWN_SECONDS + 2)
        except (TimeoutError, asyncio.CancelledError):
            log.warning("http server did not stop in time")
        except Exception:
            log.exception("http server failed")


async def start_http(
    services: Services,
    polling: Callable[[], bool] | None,
    application: Application[Any, Any, Any, Any, Any, Any] | None = None,
) -> HttpServer | None:
    """The server when ``HTTP_PORT`` is set, started; None when it is not."""
    settings = services.settings
    if settings.http_port is None:
        return None
    server = HttpServer(build_app(services, polling=polling, application=application), settings)
    await server.start()
    return server
