"""``python -m bot playground``: the page at PLAYGROUND_HOST:PLAYGROUND_PORT until Ctrl-C.

Why it also starts when the token is missing: README's first command must show something on a
fresh machine. The line printed first says how to run the real bot instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import sys
import webbrowser
from collections.abc import Mapping

from aiohttp import web

from bot.config import ConfigError
from bot.logs import setup_logging
from bot.playground.botapi import DEFAULT_TOKEN
from bot.playground.config import PlaygroundConfig, load_playground_config
from bot.playground.runner import Playground, database_path
from bot.playground.web import build_web
from storage.locks import AlreadyRunning, instance_lock

EXIT_CONFIG = 2

NO_TOKEN = (
    "wargalapor: TELEGRAM_BOT_TOKEN is not set, so this is the playground (no Telegram, nothing "
    "leaves this machine); to run the real bot, create one with @BotFather and put its token "
    "in .env (see config.example.env)"
)


def has_desktop(env: Mapping[str, str]) -> bool:
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


async def serve(config: PlaygroundConfig) -> int:
    playground = Playground(config)
    await playground.start()
    runner = web.AppRunner(build_web(playground), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        await playground.stop()
        taken = error.errno == errno.EADDRINUSE
        why = "is in use" if taken else f"cannot be served ({error.strerror})"
        print(
            f"wargalapor: playground port {config.host}:{config.port} {why}: "
            "set PLAYGROUND_PORT to another port",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    port = int(sockets[0].getsockname()[1]) if sockets else config.port
    url = PlaygroundConfig(host=config.host, port=port).url
    print(f"WargaLapor playground: open {url} (Ctrl-C stops it)", flush=True)
    if config.open_browser and has_desktop(os.environ):
        with contextlib.suppress(webbrowser.Error):
            webbrowser.open(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await playground.stop()
    return 0


def run_playground(env: Mapping[str, str]) -> int:
    try:
        config = load_playground_config(env)
    except ConfigError as error:
        print(f"wargalapor: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    setup_logging(env.get("LOG_LEVEL", "WARNING"), DEFAULT_TOKEN, libraries="WARNING")
    config.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with instance_lock(database_path(config)):
            return asyncio.run(serve(config))
    except AlreadyRunning as running:
        print(
            f"wargalapor: a playground is already running on {running.database} "
            f"(pid {running.pid}); open its page, or stop it first",
            file=sys.stderr,
        )
        return EXIT_CONFIG
