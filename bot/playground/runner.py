"""One playground run: the local Bot API, the real bot against it, and the seeded people.

Why the real bot: the application is ``build_application`` with the same storage, scheduler and
HTTP server as in production; only the Bot API address points at the built-in server. So what a
trainee sees is what the bot does, and what the tests check.

Every start (and every reset) is a fresh run in ``PLAYGROUND_DATA``: the people live in the
built-in server's memory, so a database that outlived them would hold reports of strangers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
from datetime import timedelta
from pathlib import Path

from bot.config import Settings, load_settings
from bot.playground.botapi import DEFAULT_TOKEN, Person, Sandbox, start_sandbox
from bot.playground.config import PlaygroundConfig
from bot.playground.seed import Cast, cast_people, seed_history
from bot.services import Services
from bot.telegram.application import ALLOWED_UPDATES, BotApplication, build_application

log = logging.getLogger(__name__)

DATABASE_NAME = "wargalapor.sqlite3"
BOT_USERNAME = "wargalapor_playground_bot"
CLOCK_HOP = timedelta(hours=1)
#: Seconds a clock move may wait, in all, for the messages its hours cause to be sent.
SETTLE_BUDGET = 15.0


def free_port(host: str) -> int:
    """A port nobody listens on now, for the staff pages beside the playground's page."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def database_path(config: PlaygroundConfig) -> Path:
    return config.data_dir / DATABASE_NAME


def playground_settings(
    config: PlaygroundConfig, sandbox: Sandbox, cast: Cast, staff_port: int
) -> Settings:
    """The bot's settings for a playground: the person's own environment for everything the
    playground does not decide (language, timezone, SLA...), never their Telegram token."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "HTTP_", "WEB_BASE"))
    }
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": sandbox.token,
            "TELEGRAM_API_BASE_URL": sandbox.base_url,
            "TELEGRAM_API_FILE_URL": sandbox.base_file_url,
            "DATABASE_PATH": str(database_path(config)),
            "ADMIN_USER_IDS": str(cast.admin.user_id),
            "ADMIN_CHAT_ID": str(cast.admins_group.chat_id),
            "HTTP_HOST": config.host,
            "HTTP_PORT": str(staff_port),
            "GEOCODER": "offline",
            # The clock control moves time by hours: the sweeps must notice within seconds.
            "SWEEP_SECONDS": "2",
            "OUTBOX_POLL_SECONDS": "1",
            "LOG_LEVEL": env.get("LOG_LEVEL", "WARNING"),
        }
    )
    return load_settings(env)


class Playground:
    """Start, reset and stop a run; ``sandbox``, ``cast`` and ``app`` are the current run's."""

    def __init__(self, config: PlaygroundConfig) -> None:
        self.config = config
        self.sandbox: Sandbox | None = None
        self.cast: Cast | None = None
        self.app: BotApplication | None = None
        self.staff_port = free_port(config.host)
        self.generation = 0
        self._lock = asyncio.Lock()

    @property
    def services(self) -> Services:
        assert self.app is not None, "the playground is not running"
        services: Services = self.app.bot_data["services"]
        return services

    async def start(self) -> None:
        async with self._lock:
            await self._start()

    async def reset(self) -> None:
        async with self._lock:
            await self._stop()
            await self._start()

    async def stop(self) -> None:
        async with self._lock:
            await self._stop()

    async def advance_clock(self, step: timedelta) -> None:
        """Move the bot's clock by ``step`` an hour at a time, running the sweeps after each
        hour as the scheduler would have, and the outbox after them: jumping a week at once
        would let one sweep see everything due together (the report closed, its survey never
        asked)."""
        async with self._lock:
            assert self.app is not None and self.app.job_queue is not None
            jobs = self.app.job_queue.get_jobs_by_name("sweeps")
            for job in jobs:
                job.enabled = False
            try:
                left = step
                budget = SETTLE_BUDGET
                while left > timedelta(0):
                    hop = min(left, CLOCK_HOP)
                    self.services.clock.advance(hop)
                    left -= hop
                    for job in jobs:
                        await job.run(self.app)
                    budget -= await self._deliver_pending(budget)
            finally:
                for job in jobs:
                    job.enabled = True

    async def _deliver_pending(self, budget: float) -> float:
        """Drain the outbox until what the hour queued is sent (a survey sent before the report
        closes), for at most ``budget`` seconds; returns the seconds spent."""
        assert self.app is not None and self.app.job_queue is not None
        loop = asyncio.get_running_loop()
        started = loop.time()
        drains = self.app.job_queue.get_jobs_by_name("outbox")
        while loop.time() - started < budget:
            rows = await self.services.store.outbox.rows()
            if not any(row.state == "pending" for row in rows):
                break
            for drain in drains:
                await drain.run(self.app)
            await asyncio.sleep(0.1)
        return loop.time() - started

    def add_citizen(self) -> Person:
        assert self.sandbox is not None and self.cast is not None
        number = len(self.cast.citizens) + 1
        person = self.sandbox.citizen(first_name=f"Warga {number}")
        self.cast.citizens.append(person)
        self.sandbox.world.notify()
        return person

    def person(self, user_id: int) -> Person | None:
        if self.cast is None:
            return None
        for _, person in self.cast.people():
            if person.user_id == user_id:
                return person
        return None

    async def _start(self) -> None:
        _wipe(self.config.data_dir)
        sandbox = await start_sandbox(DEFAULT_TOKEN, bot_username=BOT_USERNAME)
        sandbox.world.bot_user["first_name"] = "WargaLapor"
        cast = cast_people(sandbox)
        settings = playground_settings(self.config, sandbox, cast, self.staff_port)
        app = build_application(settings)
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=timedelta(seconds=2), allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        self.sandbox, self.cast, self.app = sandbox, cast, app
        await seed_history(sandbox, self.services, cast)
        await self._deliver_pending(SETTLE_BUDGET)  # the page opens on the seeded chats
        self.generation += 1
        sandbox.world.notify()

    async def _stop(self) -> None:
        app, sandbox = self.app, self.sandbox
        self.app = self.sandbox = self.cast = None
        if sandbox is not None:
            sandbox.world.closing = True  # the bot's pending long poll answers now, not in 2 s
            sandbox.world.notify()
        if app is not None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            await app.shutdown()
        if sandbox is not None:
            await sandbox.close()


def _wipe(folder: Path) -> None:
    """Empty the playground's folder but for the lock the process holds on its database."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.name.endswith(".lock"):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
