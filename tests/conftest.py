"""Fixtures: the fake Telegram server, and the real bot application long-polling it over HTTP."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest

from bot.config import Settings, load_settings
from bot.playground.botapi import Sandbox, start_sandbox
from bot.services import Services
from bot.telegram.application import ALLOWED_UPDATES, build_application
from tests import pg_cluster
from tests.fakes.nominatim import start_fake_nominatim

os.environ.setdefault("PTB_TIMEDELTA", "1")

TOKEN = "123456:TEST-token-for-the-sandbox-only"
#: ``sqlite`` (or ``postgresql``) runs the bot's tests on that engine only, for a quick run.
ENGINES_ENV = "WARGALAPOR_TEST_ENGINES"
ENGINES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    """Every test that runs the bot runs on SQLite and again on PostgreSQL: the controller
    starts a throwaway server (tests/pg_cluster.py) unless one is given, and migrates the
    template each test's database is copied from; xdist's workers inherit its URL."""
    config.addinivalue_line("markers", "sqlite_only: reads the SQLite file itself")
    if hasattr(config, "workerinput") or "postgresql" not in _engines():
        return
    if not os.environ.get(pg_cluster.ENV_URL):
        cluster = pg_cluster.start_cluster()
        if cluster is None:
            return
        config.stash[_CLUSTER] = cluster
        os.environ[pg_cluster.ENV_URL] = cluster.url
    pg_cluster.make_template(os.environ[pg_cluster.ENV_URL])


def pytest_unconfigure(config: pytest.Config) -> None:
    cluster = config.stash.get(_CLUSTER, None)
    if cluster is not None:
        cluster.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the PostgreSQL runs of tests that read the SQLite file, and engines not asked for."""
    wanted = _engines()
    kept, dropped = [], []
    for item in items:
        engine = getattr(item, "callspec", None) and item.callspec.params.get("engine")
        if engine and (
            engine not in wanted
            or (engine == "postgresql" and item.get_closest_marker("sqlite_only"))
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _engines() -> tuple[str, ...]:
    asked = os.environ.get(ENGINES_ENV, "").strip()
    return tuple(e for e in ENGINES if e in asked.split(",")) if asked else ENGINES


_CLUSTER = pytest.StashKey[pg_cluster.Cluster]()


@pytest.fixture(params=ENGINES)
def engine(request):
    """The database engine of this run: None for SQLite (the file in tmp_path), or the URL of
    a fresh PostgreSQL database copied from the migrated template."""
    if request.param == "sqlite":
        yield None
        return
    server = os.environ.get(pg_cluster.ENV_URL)
    if not server:
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql)")
    name, url = pg_cluster.new_database(server)
    yield url
    pg_cluster.drop_database(server, name)


class RunningBot:
    """The bot under test; ``restart()`` stops it and starts a new one on the same database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = None

    @property
    def services(self) -> Services:
        return self.app.bot_data["services"]

    async def start(self) -> None:
        app = build_application(self.settings)
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0.0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        self.app = app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.post_shutdown(app)
        await app.shutdown()

    async def restart(self) -> None:
        await self.stop()
        await self.start()


ROOT = Path(__file__).resolve().parent.parent


async def spawn_bot(
    sandbox: Sandbox,
    database,
    *,
    output: IO[bytes] | int | None = asyncio.subprocess.DEVNULL,
    errors: IO[bytes] | int | None = asyncio.subprocess.PIPE,
    **settings: str,
) -> asyncio.subprocess.Process:
    """``python -m bot`` in its own process against ``sandbox``, as an operator starts it (for
    the tests that kill it or need its real start-up); ``settings`` are more environment."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "TELEGRAM_API_FILE_URL": sandbox.base_file_url,
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "INFO",
        **settings,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=output, stderr=errors
    )


def make_settings(
    sandbox: Sandbox, database_path, *, database_url: str | None = None, **overrides: str
) -> Settings:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "TELEGRAM_API_FILE_URL": sandbox.base_file_url,
        "DATABASE_PATH": str(database_path),
        "LOG_LEVEL": "DEBUG",
        # Tests read the API many times from one address; tests of the limit set their own.
        "OPEN311_PUBLIC_RATE_PER_MINUTE": "100000",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(overrides)
    return load_settings(env)


@pytest.fixture
async def sandbox():
    sandbox = await start_sandbox(token=TOKEN)
    yield sandbox
    await sandbox.close()


@pytest.fixture
def admin(sandbox):
    """A WargaLapor admin (listed in ADMIN_USER_IDS) who has talked to the bot."""
    return sandbox.citizen(first_name="Admin", started=True)


@pytest.fixture
def admins_group(sandbox, admin):
    """The admins' fallback chat (ADMIN_CHAT_ID)."""
    group = sandbox.group(title="WargaLapor Admin")
    group.add_member(admin, status="administrator")
    return group


@pytest.fixture
def bot_settings(sandbox, tmp_path, admin, admins_group, engine) -> Settings:
    return make_settings(
        sandbox,
        tmp_path / "data" / "wargalapor.sqlite3",
        database_url=engine,
        ADMIN_USER_IDS=str(admin.user_id),
        ADMIN_CHAT_ID=str(admins_group.chat_id),
    )


@pytest.fixture
async def make_bot(sandbox, tmp_path, admin, admins_group, engine):
    """Start a bot with extra settings (fast sweeps, quiet hours...); stopped after the test."""
    started: list[RunningBot] = []

    async def start(*, paid_rate: float | None = None, **overrides: str) -> RunningBot:
        """``paid_rate``: a broadcast rate above Telegram's free one (paid broadcasts), which
        BROADCAST_RATE refuses, set the way bench/rate_bot.py sets it."""
        settings = make_settings(
            sandbox,
            tmp_path / "data" / "wargalapor.sqlite3",
            database_url=engine,
            ADMIN_USER_IDS=str(admin.user_id),
            ADMIN_CHAT_ID=str(admins_group.chat_id),
            **overrides,
        )
        if paid_rate is not None:
            settings = replace(settings, broadcast_rate=paid_rate)
        running = RunningBot(settings)
        await running.start()
        started.append(running)
        return running

    yield start
    for running in started:
        await running.stop()


@pytest.fixture
async def bot(bot_settings):
    running = RunningBot(bot_settings)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def store(bot):
    return bot.services.store


@pytest.fixture
async def nominatim():
    """A fake Nominatim (tests/fakes/nominatim.py) for the bot to geocode against."""
    fake = await start_fake_nominatim()
    yield fake
    await fake.close()


@pytest.fixture
def make_geo_bot(make_bot, nominatim):
    """Start a bot that geocodes with ``nominatim``, giving up after ``seconds``."""

    async def start(seconds: str, **overrides: str) -> RunningBot:
        return await make_bot(
            GEOCODER="nominatim",
            NOMINATIM_URL=nominatim.url,
            NOMINATIM_USER_AGENT="wargalapor-tests",
            GEOCODER_TIMEOUT=seconds,
            **overrides,
        )

    return start
