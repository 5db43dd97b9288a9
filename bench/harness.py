"""Shared pieces of the benchmarks: one figure type for run_all's table, a bot in its own process,
and simulated citizens that wait for the bot cheaply.

Why a bot in its own process: its CPU time and memory (``/proc/<pid>``) are then the bot's alone,
not mixed with the sandbox and the simulated people, who share the machine's other core.

Why not ``Person.next_message``: every waiting helper of the sandbox wakes on every change of the
world, which is right for a test with three people and quadratic for a thousand. Here one task
waits on the world and checks only the chats someone is waiting in, so the benchmark process
stays light and what is measured is the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import shlex
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.playground.botapi import BotMessage, Person, Sandbox  # noqa: E402
from bot.playground.botapi.records import ChatState  # noqa: E402
from tests.conftest import TOKEN  # noqa: E402
from tests.helpers import jpeg  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: Far past Telegram's 30/s: the global limiter paces nothing (see rate_bot.py).
UNLIMITED_RATE = 100_000
DESCRIPTION = "Air setinggi lutut di depan pintu timur sejak pagi, nomor {n}"


# -- figures -------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One row of run_all's table. ``met`` is None when there is no goal to meet."""

    benchmark: str
    goal: str
    figure: str
    met: bool | None = None


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def load_note() -> str:
    """The machine's load average when a figure was taken (others may be running tests)."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


# -- /proc ---------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def memory_mb(pid: int, key: str = "VmRSS") -> float:
    """A memory figure of ``/proc/<pid>/status`` (VmRSS now, VmHWM the peak) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return math.nan


def own_cpu_seconds() -> float:
    """CPU time of this process: the sandbox and the simulated people."""
    return time.process_time()


# -- the bot in its own process ------------------------------------------------------------------


def bot_env(sandbox: Sandbox, database: Path, **settings: str) -> dict[str, str]:
    """The environment of a bot process pointed at ``sandbox`` (the caller's settings on top)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "TELEGRAM_API_FILE_URL": sandbox.base_file_url,
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "WARNING",
    }
    env.update(settings)
    return env


class BotProcess:
    """A bot started as ``python <args>``; ``BENCH_BOT_PREFIX`` replaces ``python`` (e.g.
    ``"python -m cProfile -o /tmp/bot.prof"`` to profile the bot under a benchmark's load)."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.args = args
        self.env = env
        self.cwd = cwd
        self.process: asyncio.subprocess.Process | None = None
        self.started_at = math.nan

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    async def start(self) -> None:
        prefix = shlex.split(os.environ.get("BENCH_BOT_PREFIX", sys.executable))
        self.started_at = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            *prefix, *self.args, cwd=self.cwd, env=self.env
        )

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_mb(self) -> float:
        return memory_mb(self.pid, "VmRSS")

    def peak_rss_mb(self) -> float:
        return memory_mb(self.pid, "VmHWM")

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def stop(self) -> None:
        """SIGTERM (PTB stops polling and shuts down cleanly, so a profile gets written)."""
        if not self.alive():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def wargalapor_bot(
    sandbox: Sandbox, workdir: Path, *, unlimited: bool = True, **settings: str
) -> BotProcess:
    """The real application in its own process on a database in ``workdir``.

    ``unlimited``: through bench/rate_bot.py, whose raised BROADCAST_RATE lifts the global limiter
    (a burst of 2 then 26 messages/s in production) far out of the way; otherwise ``python -m
    bot`` exactly as deployed.
    """
    database = workdir / "wargalapor.sqlite3"
    env = bot_env(sandbox, database, **settings)
    if unlimited:
        env["BENCH_BROADCAST_RATE"] = str(UNLIMITED_RATE)
        return BotProcess([str(ROOT / "bench" / "rate_bot.py")], env, workdir)
    return BotProcess(["-m", "bot"], env, workdir)


# -- waiting for the bot -------------------------------------------------------------------------


class Inbox:
    """Waits until chats hold a number of bot messages, with one waiter on the sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.world = sandbox.world
        self._waiting: dict[int, tuple[ChatState, int, asyncio.Future[None]]] = {}
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while not self.world.closing:
            await self.world.wait_change(0.5)
            done = [
                key
                for key, (state, count, _) in self._waiting.items()
                if len(state.bot_messages) >= count
            ]
            for key in done:
                future = self._waiting.pop(key)[2]
                if not future.done():
                    future.set_result(None)

    async def wait(self, state: ChatState, count: int, within: float) -> bool:
        """True once ``state`` holds ``count`` bot messages; False after ``within`` seconds."""
        if len(state.bot_messages) >= count:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        key = id(future)
        self._waiting[key] = (state, count, future)
        try:
            await asyncio.wait_for(future, within)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiting.pop(key, None)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class BotSilent(AssertionError):
    """The bot did not answer a step in time, or answered something unexpected."""


@dataclass
class Step:
    """One update a citizen sent and the bot's answer to it (all the messages it expects)."""

    name: str
    sent: float  # time.monotonic() just before the update was queued
    answer: list[BotMessage]

    @property
    def latency(self) -> float:
        """Seconds from the update queued at the sandbox to its last answering message stored
        there (the message the citizen acts on next)."""
        return self.answer[-1].sent_at - self.sent


@dataclass
class Citizen:
    """A simulated citizen in a private chat, acting as fast as the bot answers."""

    person: Person
    inbox: Inbox
    where: tuple[float, float]
    timeout: float = 60.0
    steps: list[Step] = field(default_factory=list)
    reports: list[int] = field(default_factory=list)

    @property
    def state(self) -> ChatState:
        return self.person.state

    async def step(
        self, name: str, action: Callable[[], Awaitable[object]], expect: int = 1
    ) -> list[BotMessage]:
        """Queue one update and wait for ``expect`` new bot messages in this chat."""
        before = len(self.state.bot_messages)
        sent = time.monotonic()
        await action()
        if not await self.inbox.wait(self.state, before + expect, self.timeout):
            raise BotSilent(
                f"{name}: no answer within {self.timeout:g} s\n" + self.person.transcript()
            )
        answer = self.state.bot_messages[before : before + expect]
        self.steps.append(Step(name, sent, answer))
        return answer

    async def press(self, name: str, message: BotMessage, label: str, expect: int = 1):
        data = [d for text, d in message.inline_buttons if label in text]
        if len(data) != 1:
            raise BotSilent(f"{name}: no single button {label!r} in {message.describe()}")
        return await self.step(name, lambda: self.person.press(message, data[0], wait=0), expect)

    async def tap_reply(self, name: str, message: BotMessage, label: str, expect: int = 1):
        texts = [text for text in message.buttons if label in text]
        if len(texts) != 1:
            raise BotSilent(f"{name}: no single button {label!r} in {message.describe()}")
        return await self.step(name, lambda: self.person.send(texts[0]), expect)

    async def file_report(self, number: int, category: str = "Banjir") -> int:
        """The whole report flow (5 updates: /report, category, location, a photo with the
        description as its caption, send), each answer checked; returns the reference."""
        person = self.person
        (menu,) = await self.step("/report", lambda: person.send("/report"))
        (ask_location,) = await self.tap_reply("category", menu, category)
        if not any("Kirim lokasi saya" in label for label in ask_location.buttons):
            raise BotSilent(
                f"category: expected the location prompt, got {ask_location.describe()}"
            )
        (ask_photo,) = await self.step("location", lambda: person.share_location(*self.where))
        if "foto" not in ask_photo.plain_text:
            raise BotSilent(f"location: expected the photo step, got {ask_photo.describe()}")
        description = DESCRIPTION.format(n=number)
        (summary,) = await self.step(
            "photo", lambda: person.send_photo(jpeg(number % 50), caption=description)
        )
        (submitted,) = await self.tap_reply("confirm", summary, "Kirim laporan")
        if "#" not in submitted.plain_text:
            raise BotSilent(f"confirm: no reference in {submitted.describe()}")
        reference = int(submitted.plain_text.split("#", 1)[1].split()[0].rstrip("."))
        self.reports.append(reference)
        return reference


def report_points(count: int, seed: int = 3) -> list[tuple[float, float]]:
    """``count`` points inside Jakarta's kelurahan, at least 300 m apart, so that no report is
    offered as a "same problem nearby" candidate for another citizen's (a step the flow skips)."""
    from bot.geo.areas import AreaIndex

    areas = AreaIndex.load()
    spacing = 0.003  # degrees: 333 m north-south, 331 m east-west at 6° S
    points = []
    lat = -6.37
    while lat < -6.08:
        lon = 106.68
        while lon < 106.98:
            if areas.locate(lat, lon) is not None:
                points.append((round(lat, 5), round(lon, 5)))
            lon += spacing
        lat += spacing
    if len(points) < count:
        raise SystemExit(f"only {len(points)} distinct report points; asked for {count}")
    random.Random(seed).shuffle(points)
    return points[:count]


def count_reports(database: Path) -> int:
    """Reports stored in the bot's database (read after the bot stopped)."""
    import sqlite3

    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0])


async def warm_up(sandbox: Sandbox, inbox: Inbox, text: str) -> None:
    """One answered update: the bot is up, polling and past its start-up."""
    person = sandbox.citizen(first_name="Pemanasan")
    citizen = Citizen(person, inbox, (0.0, 0.0), timeout=60)
    await citizen.step("warm-up", lambda: person.send(text))
