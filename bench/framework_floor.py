"""The framework floor: what one update costs WargaLapor against a bare python-telegram-bot bot.

Part 1, the floor (``--only floor``). One sandbox (the fake Bot API of the tests) in this process;
four bots, one after the other, each in its own process so its CPU time is its own:

* a bare PTB echo bot (bench/echo_bot.py), updates one at a time (PTB's default);
* the same with PTB's ``concurrent_updates(64)``;
* WargaLapor (``bot.telegram.application.build_application`` through bench/rate_bot.py),
  CONCURRENT_UPDATES=1;
* WargaLapor with the default CONCURRENT_UPDATES=64.

The same ``--users`` simulated citizens drive each bot as fast as it answers (each waits for the
answer before its next update): the echo bots get texts, WargaLapor gets whole report flows
(/report, category, location, a photo with the description as its caption, send: 5 updates, 5
Bot API calls besides getUpdates; no group is linked, so no alert). Per report, the bot's CPU time
and calls are printed too: what a report costs, whatever its number of updates.
WargaLapor's global limiter (a burst of 2 then 26 messages/s, Telegram's 30/s) is raised out of the
way through rate_bot.py, as broadcast.py does, so the bot's own work is what is measured. After a
warm-up, per update: wall time (the window over the updates answered in it, i.e. 1/throughput),
bot-process CPU time (``/proc/<pid>/stat``), and latency. The ratio to the echo floor is the
figure of issue 7 (goal <= 1.3x).

Part 2, one slow geocoder (``--only geocoder``), is bench/slow_geocoder.py; this script runs both.

Run: python bench/framework_floor.py [--users 50] [--seconds 20] [--only floor|geocoder]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    BotProcess,
    BotSilent,
    Citizen,
    Figure,
    Inbox,
    bot_env,
    count_reports,
    load_note,
    own_cpu_seconds,
    percentile,
    report_points,
    wargalapor_bot,
    warm_up,
)
from bench.slow_geocoder import SlowResult, slow_figures, slow_geocoder
from bot.playground.botapi import Sandbox, start_sandbox
from tests.conftest import TOKEN

ROUND = 5  # updates per round: one report flow, or five echoed texts


@dataclass
class LoadResult:
    name: str
    updates: int
    seconds: float
    bot_cpu: float
    own_cpu: float
    latencies: list[float]
    calls: Counter[str]
    peak_rss: float
    reports: int = 0

    @property
    def wall_ms(self) -> float:
        return self.seconds / self.updates * 1000

    @property
    def cpu_ms(self) -> float:
        return self.bot_cpu / self.updates * 1000

    def line(self) -> str:
        return (
            f"{self.name:<34} {self.updates:6d} updates in {self.seconds:5.1f} s ="
            f" {self.updates / self.seconds:6.1f}/s | wall {self.wall_ms:5.2f} ms/update |"
            f" bot CPU {self.cpu_ms:5.2f} ms/update ({self.bot_cpu / self.seconds:4.0%} of a core)"
            f" | latency p50 {percentile(self.latencies, 0.5) * 1000:5.1f} ms,"
            f" p99 {percentile(self.latencies, 0.99) * 1000:6.1f} ms"
            f" | sandbox process {self.own_cpu / self.seconds:4.0%} of a core"
            f" | Bot API calls per update {sum(self.calls.values()) / self.updates:.2f}"
            f" (getUpdates {self.calls['getUpdates'] / self.updates:.2f})"
            f" | peak RSS {self.peak_rss:.1f} MB"
            + (
                f" | per report: bot CPU {self.bot_cpu / self.reports * 1000:.1f} ms,"
                f" Bot API calls {sum(self.calls.values()) / self.reports:.1f}"
                f" (getUpdates {self.calls['getUpdates'] / self.reports:.1f})"
                if self.reports
                else ""
            )
        )


#: One round of updates by one citizen, numbered so every round's texts differ.
Round = Callable[[Citizen, int], Awaitable[None]]


async def echo_round(citizen: Citizen, number: int) -> None:
    for i in range(ROUND):
        text = f"halo {number}-{i}"
        (answer,) = await citizen.step("echo", partial(citizen.person.send, text))
        if answer.text != text:
            raise BotSilent(f"echo: expected {text!r}, got {answer.describe()}")


async def report_round(citizen: Citizen, number: int) -> None:
    await citizen.file_report(number)


async def drive(citizens: list[Citizen], round_: Round, seconds: float, first: int) -> None:
    """Every citizen repeats rounds until ``seconds`` have passed (finishing the one under way)."""
    deadline = time.monotonic() + seconds

    async def one(index: int, citizen: Citizen) -> None:
        number = first + index * 100_000
        while time.monotonic() < deadline:
            await round_(citizen, number)
            number += 1

    await asyncio.gather(*(one(i, c) for i, c in enumerate(citizens)))


def client_env(client: str) -> dict[str, str]:
    """``aiohttp`` or ``httpx``, optionally ``:POOL`` (connections): the bot's HTTP client."""
    name, _, pool = client.partition(":")
    return {"TELEGRAM_HTTP_CLIENT": name, **({"TELEGRAM_POOL_SIZE": pool} if pool else {})}


async def measure_load(
    sandbox: Sandbox,
    name: str,
    bot: BotProcess,
    round_: Round,
    args: argparse.Namespace,
    points: list[tuple[float, float]],
) -> LoadResult:
    inbox = Inbox(sandbox)
    await bot.start()
    try:
        await warm_up(sandbox, inbox, "/help" if round_ is report_round else "halo")
        citizens = [
            Citizen(sandbox.citizen(first_name=f"Warga{i}"), inbox, points[i])
            for i in range(args.users)
        ]
        await drive(citizens, round_, args.warmup, first=0)
        for citizen in citizens:
            citizen.steps.clear()
        cpu_before, own_before = bot.cpu_seconds(), own_cpu_seconds()
        first_call = len(sandbox.world.calls)
        started = time.monotonic()
        await drive(citizens, round_, args.seconds, first=50_000)
        seconds = time.monotonic() - started
        bot_cpu, own_cpu = bot.cpu_seconds() - cpu_before, own_cpu_seconds() - own_before
        calls = Counter(call.method for call in sandbox.world.calls[first_call:])
        steps = [step for citizen in citizens for step in citizen.steps]
        reports = sum(len(citizen.reports) for citizen in citizens)
        latencies = [s.latency for s in steps]
        return LoadResult(
            name,
            len(steps),
            seconds,
            bot_cpu,
            own_cpu,
            latencies,
            calls,
            bot.peak_rss_mb(),
            reports,
        )
    finally:
        await bot.stop()
        await inbox.close()
        sandbox.world.pending.clear()  # nothing left over for the next bot


async def floor(args: argparse.Namespace) -> list[LoadResult]:
    """``--repeat`` rounds; in each, every WargaLapor bot runs right after the echo bot it is
    compared with (one at a time, then 64 at once), so a ratio is taken at one load of this
    shared machine; the medians over the rounds are printed last."""
    sandbox = await start_sandbox(token=TOKEN)
    folder = tempfile.TemporaryDirectory(prefix="wargalapor-bench-floor-")
    work = Path(folder.name)
    points = report_points(args.users)
    rounds: list[dict[tuple[str, int], LoadResult]] = []
    clients = args.clients.split(",")
    try:
        print(
            f"{args.users} simulated citizens, {args.warmup:g} s warm-up, {args.seconds:g} s"
            f" measured per bot; {load_note()}"
        )
        for number in range(args.repeat):
            results: dict[tuple[str, int], LoadResult] = {}
            for concurrent in (1, 64):
                name = "PTB echo, " + (
                    "one at a time" if concurrent == 1 else "concurrent_updates(64)"
                )
                env = bot_env(sandbox, work / "unused.sqlite3", ECHO_CONCURRENT=str(concurrent))
                bot = BotProcess([str(ROOT / "bench" / "echo_bot.py")], env, work)
                result = await measure_load(sandbox, name, bot, echo_round, args, points)
                print(result.line())
                results["echo", concurrent] = result
                for client in clients:
                    name = f"WargaLapor {client}, CONCURRENT_UPDATES={concurrent}"
                    bot_dir = work / f"bot-{client.replace(':', '-')}-{concurrent}-{number}"
                    bot_dir.mkdir()
                    bot = wargalapor_bot(
                        sandbox,
                        bot_dir,
                        CONCURRENT_UPDATES=str(concurrent),
                        MAX_REPORTS_PER_HOUR="1000000",
                        # Each benchmark citizen files report after report: no flood control.
                        MAX_UPDATES_PER_MINUTE="1000000",
                        **client_env(client),
                    )
                    result = await measure_load(sandbox, name, bot, report_round, args, points)
                    stored = count_reports(bot_dir / "wargalapor.sqlite3")
                    print(result.line() + f" | reports confirmed {result.reports}, stored {stored}")
                    results[client, concurrent] = result
            rounds.append(results)
            print(f"round {number + 1}, {load_note()}; WargaLapor / the echo bot just before it:")
            for client in clients:
                print("  " + ratios(client, [results]))
    finally:
        await sandbox.close()
        folder.cleanup()
    if len(rounds) > 1:
        print(f"medians over {len(rounds)} rounds:")
        for client in clients:
            print("  " + ratios(client, rounds))
    first = rounds[0]
    return [first["echo", 1], first["echo", 64], first[clients[0], 1], first[clients[0], 64]]


def ratios(client: str, rounds: list[dict[tuple[str, int], LoadResult]]) -> str:
    """CPU and wall per update of WargaLapor over the echo bot, like for like (medians)."""
    parts = []
    for concurrent, label in ((1, "one at a time"), (64, "64 at once")):
        pairs = [(r[client, concurrent], r["echo", concurrent]) for r in rounds]
        cpu = statistics.median(bot.cpu_ms / echo.cpu_ms for bot, echo in pairs)
        wall = statistics.median(bot.wall_ms / echo.wall_ms for bot, echo in pairs)
        parts.append(f"{label}: CPU {cpu:.2f}x, wall {wall:.2f}x")
    return f"{client}: " + "; ".join(parts)


def figures(floor_results: list[LoadResult], slow_results: list[SlowResult]) -> list[Figure]:
    rows = []
    if floor_results:
        echo_seq, echo_conc, bot_seq, bot_conc = floor_results[:4]
        cpu_ratio = bot_conc.cpu_ms / echo_seq.cpu_ms
        wall_ratio = bot_conc.wall_ms / echo_seq.wall_ms
        rows.append(
            Figure(
                "framework floor: per update, WargaLapor as deployed (report flows,"
                " CONCURRENT_UPDATES=64) / bare PTB echo bot (PTB's defaults)",
                "≤ 1.3×",
                f"bot CPU {bot_conc.cpu_ms:.2f} / {echo_seq.cpu_ms:.2f} ms = {cpu_ratio:.2f}×;"
                f" wall {bot_conc.wall_ms:.2f} / {echo_seq.wall_ms:.2f} ms = {wall_ratio:.2f}×"
                f" ({bot_conc.updates / bot_conc.seconds:.0f} vs"
                f" {echo_seq.updates / echo_seq.seconds:.0f} updates/s)",
                max(cpu_ratio, wall_ratio) <= 1.3,
            )
        )
        rows.append(
            Figure(
                "framework floor, like for like: one update at a time both; 64 at once both",
                "≤ 1.3×",
                f"one at a time: CPU {bot_seq.cpu_ms / echo_seq.cpu_ms:.2f}×, wall"
                f" {bot_seq.wall_ms / echo_seq.wall_ms:.2f}×; concurrent: CPU"
                f" {bot_conc.cpu_ms / echo_conc.cpu_ms:.2f}×, wall"
                f" {bot_conc.wall_ms / echo_conc.wall_ms:.2f}×",
                max(
                    bot_seq.cpu_ms / echo_seq.cpu_ms,
                    bot_seq.wall_ms / echo_seq.wall_ms,
                    bot_conc.cpu_ms / echo_conc.cpu_ms,
                    bot_conc.wall_ms / echo_conc.wall_ms,
                )
                <= 1.3,
            )
        )
        rows.append(
            Figure(
                "WargaLapor under saturating load: CONCURRENT_UPDATES=1 vs 64 (report flows)",
                "—",
                f"{bot_seq.updates / bot_seq.seconds:.0f} vs"
                f" {bot_conc.updates / bot_conc.seconds:.0f} updates/s; bot CPU"
                f" {bot_seq.cpu_ms:.2f} vs {bot_conc.cpu_ms:.2f} ms/update; latency p99"
                f" {percentile(bot_seq.latencies, 0.99) * 1000:.0f} vs"
                f" {percentile(bot_conc.latencies, 0.99) * 1000:.0f} ms",
            )
        )
    return rows + slow_figures(slow_results)


async def run(args: argparse.Namespace) -> list[Figure]:
    floor_results = await floor(args) if args.only in (None, "floor") else []
    slow_results = await slow_geocoder(args) if args.only in (None, "geocoder") else []
    return figures(floor_results, slow_results)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated citizens (default 50)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured per bot (20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up per bot (3)")
    parser.add_argument("--others", type=int, default=20, help="citizens beside the slow one")
    parser.add_argument("--delay", type=float, default=3.0, help="geocoder delay, s (3)")
    parser.add_argument("--only", choices=("floor", "geocoder"))
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the floor (1)")
    parser.add_argument(
        "--clients",
        default="aiohttp",
        help="the bot's HTTP clients to run, each CLIENT[:POOL], comma-separated, e.g."
        " aiohttp,httpx:256 (default aiohttp; the figures use the first)",
    )
    return parser


def measure(quick: bool = False) -> list[Figure]:
    """For run_all.py."""
    argv = ["--seconds", "8", "--warmup", "2"] if quick else []
    return asyncio.run(run(parser().parse_args(argv)))


def main() -> None:
    asyncio.run(run(parser().parse_args()))


if __name__ == "__main__":
    main()
