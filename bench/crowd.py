"""A crowd: 1,000 simulated citizens filing reports at once; reply latency, reports/s, peak RSS.

The bot runs in its own process (bench/rate_bot.py: the real application, with the global limiter
raised out of the way as in framework_floor.py; ``--telegram-pace`` runs ``python -m bot`` with the
production pace of a burst of 2 then 26 messages/s instead). The sandbox (the fake Bot API of the
tests) and the citizens run here. Every citizen, at its own point in Jakarta, files one whole
report: /report, category, location, a photo with its caption, send (5 updates), each update
sent as soon as the previous answer arrived, or after a pause of ``--think`` seconds on average
(uniform 0 to twice that) like a person reading. ``--ramp`` spreads the citizens' first update
over that many seconds (0: all at the same instant).

Latency of an update: from the moment it is queued at the sandbox to the sandbox storing the last
message of the bot's answer (the one the citizen acts on). Reports/s: confirmed reports over the
time from the first update to the last confirmation. Peak RSS: the bot process's VmHWM. Every
confirmed reference is checked against the reports the database holds at the end. ``--echo``
puts the bare PTB echo bot of framework_floor.py in the bot's place, each citizen sending five
texts: the same crowd against the framework floor.

Run: python bench/crowd.py [--citizens 1000] [--think 0] [--ramp 0] [--telegram-pace] [--echo]
Goal (issue 7): p99 <= 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
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
)
from bot.playground.botapi import start_sandbox
from tests.conftest import TOKEN

GOAL_P99 = 0.200


class Pausing(Citizen):
    """A citizen who pauses before each step after the first (``think`` s on average)."""

    think: float = 0.0
    rng: random.Random | None = None

    async def step(self, name, action, expect=1):
        if self.think and self.steps:
            assert self.rng is not None
            await asyncio.sleep(self.rng.uniform(0, 2 * self.think))
        return await super().step(name, action, expect)


async def echo_flow(citizen: Citizen, index: int) -> None:
    """Five texts, each echoed before the next: the floor's version of one report flow."""
    for i in range(5):
        text = f"halo {index}-{i}"
        (answer,) = await citizen.step("echo", lambda t=text: citizen.person.send(t))
        if answer.text != text:
            raise BotSilent(f"echo: expected {text!r}, got {answer.describe()}")


async def run(args: argparse.Namespace) -> dict:
    sandbox = await start_sandbox(token=TOKEN)
    folder = tempfile.TemporaryDirectory(prefix="wargalapor-bench-crowd-")
    workdir = Path(folder.name)
    if args.echo:
        env = bot_env(sandbox, workdir / "unused.sqlite3")
        bot = BotProcess([str(ROOT / "bench" / "echo_bot.py")], env, workdir)
    else:
        bot = wargalapor_bot(
            sandbox,
            workdir,
            unlimited=not args.telegram_pace,
            MAX_REPORTS_PER_HOUR="1000000",
            MAX_UPDATES_PER_MINUTE="1000000",
        )
    inbox = Inbox(sandbox)
    rng = random.Random(args.seed)
    points = report_points(args.citizens)
    await bot.start()
    try:
        warm = Citizen(sandbox.citizen(first_name="Pemanasan"), inbox, (0.0, 0.0), timeout=60)
        await warm.step("warm-up", lambda: warm.person.send("halo" if args.echo else "/help"))
        crowd = []
        for i in range(args.citizens):
            citizen = Pausing(
                sandbox.citizen(first_name=f"Warga{i}"), inbox, points[i], timeout=args.timeout
            )
            citizen.think, citizen.rng = args.think, rng
            crowd.append(citizen)
        idle_rss = bot.rss_mb()
        cpu_before, own_before = bot.cpu_seconds(), own_cpu_seconds()
        first_call = len(sandbox.world.calls)
        started = time.monotonic()

        async def file(index: int, citizen: Citizen) -> None:
            if args.ramp:
                await asyncio.sleep(args.ramp * index / args.citizens)
            if args.echo:
                await echo_flow(citizen, index)
            else:
                await citizen.file_report(index)

        outcomes = await asyncio.gather(
            *(file(i, c) for i, c in enumerate(crowd)), return_exceptions=True
        )
        seconds = time.monotonic() - started
        bot_cpu, own_cpu = bot.cpu_seconds() - cpu_before, own_cpu_seconds() - own_before
        peak = bot.peak_rss_mb()
        calls = Counter(call.method for call in sandbox.world.calls[first_call:])
        failures = [o for o in outcomes if isinstance(o, BaseException)]
    finally:
        await bot.stop()
        await inbox.close()
        await sandbox.close()
    stored = 0 if args.echo else count_reports(workdir / "wargalapor.sqlite3")
    folder.cleanup()

    steps = [step for citizen in crowd for step in citizen.steps]
    latencies = [step.latency for step in steps]
    by_step = defaultdict(list)
    for step in steps:
        by_step[step.name].append(step.latency)
    confirmations = [
        c.steps[-1].answer[-1].sent_at for c in crowd if c.reports or (args.echo and c.steps)
    ]
    first = min(step.sent for step in steps)
    span = max(confirmations) - first if confirmations else float("nan")
    references = sorted(r for c in crowd for r in c.reports)
    done = len(confirmations)  # citizens who got to the end (a report, or five echoes)
    result = {
        "citizens": args.citizens,
        "think": args.think,
        "ramp": args.ramp,
        "paced": args.telegram_pace,
        "updates": len(steps),
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "reports": len(references),
        "unique": len(set(references)),
        "stored": stored,
        "span": span,
        "reports_per_s": done / span,
        "echo": args.echo,
        "updates_per_s": len(steps) / seconds,
        "peak_rss": peak,
        "idle_rss": idle_rss,
        "bot_cpu": bot_cpu,
        "own_cpu": own_cpu,
        "seconds": seconds,
        "failures": failures,
    }
    pace = "production pace (2 + 26/s)" if args.telegram_pace else "global limiter raised"
    if args.echo:
        pace = "bare PTB echo bot, 7 texts per citizen"
    print(
        f"{args.citizens} citizens, {'all at once' if not args.ramp else f'over {args.ramp:g} s'},"
        f" pause {args.think:g} s on average between steps, {pace}; {load_note()}"
    )
    print(
        f"updates answered: {len(steps)} in {seconds:.1f} s ({result['updates_per_s']:.0f}/s);"
        f" reply latency p50 {result['p50'] * 1000:.0f} ms, p95 {result['p95'] * 1000:.0f} ms,"
        f" p99 {result['p99'] * 1000:.0f} ms, max {result['max'] * 1000:.0f} ms"
        f" (goal p99 <= {GOAL_P99 * 1000:.0f} ms)"
    )
    for name, values in by_step.items():
        print(
            f"  {name:<12} p50 {percentile(values, 0.5) * 1000:6.0f} ms,"
            f" p99 {percentile(values, 0.99) * 1000:6.0f} ms (n={len(values)})"
        )
    if args.echo:
        print(f"citizens done: {done}; {result['reports_per_s']:.1f}/s over {span:.1f} s")
    else:
        print(
            f"reports: {len(references)} confirmed ({len(set(references))} distinct references),"
            f" {stored} stored; {result['reports_per_s']:.1f} reports/s over {span:.1f} s"
        )
    print(
        f"bot process: peak RSS (VmHWM) {peak:.1f} MB (idle before the crowd {idle_rss:.1f} MB),"
        f" CPU {bot_cpu:.1f} s = {bot_cpu / seconds:.0%} of a core,"
        f" {bot_cpu / len(steps) * 1000:.2f} ms per update; sandbox process"
        f" {own_cpu / seconds:.0%} of a core"
    )
    print(
        f"Bot API calls per update: {sum(calls.values()) / len(steps):.2f}"
        f" ({', '.join(f'{m} {n}' for m, n in calls.most_common())})"
    )
    if failures:
        print(f"{len(failures)} citizens failed; the first: {failures[0]!r}"[:2000])
    return result


def figures(result: dict, label: str) -> list[Figure]:
    ok = not result["failures"] and result["reports"] == result["stored"] == result["unique"]
    if result["echo"]:
        return [
            Figure(
                f"crowd floor: {label}, bare PTB echo bot: reply latency",
                "—",
                f"p50 {result['p50'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms,"
                f" max {result['max'] * 1000:.0f} ms ({result['updates']} updates,"
                f" {result['updates_per_s']:.0f}/s)",
            )
        ]
    return [
        Figure(
            f"crowd: {label}: reply latency",
            "p99 ≤ 200 ms",
            f"p50 {result['p50'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms,"
            f" max {result['max'] * 1000:.0f} ms ({result['updates']} updates)",
            result["p99"] <= GOAL_P99 and ok,
        ),
        Figure(
            f"crowd: {label}: reports/s, bot peak RSS",
            "—",
            f"{result['reports_per_s']:.1f} reports/s ({result['reports']} confirmed,"
            f" {result['stored']} stored), peak RSS {result['peak_rss']:.1f} MB",
        ),
    ]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=1000)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between steps, s")
    parser.add_argument("--ramp", type=float, default=0.0, help="spread the starts over, s")
    parser.add_argument(
        "--telegram-pace", action="store_true", help="python -m bot with its production limiter"
    )
    parser.add_argument(
        "--echo", action="store_true", help="the bare PTB echo bot instead, 7 texts per citizen"
    )
    parser.add_argument("--timeout", type=float, default=180.0, help="per answer, s")
    parser.add_argument("--seed", type=int, default=13)
    return parser


def measure(quick: bool = False) -> list[Figure]:
    """For run_all.py: all at once as fast as answered; all at once at a person's pace (pauses
    of 10 s on average); starting over a minute at that pace; and the bare echo bot all at
    once for comparison."""
    citizens = "300" if quick else "1000"
    variants = (
        ([], "at once, no pauses"),
        (["--think", "10"], "at once, ~10 s pauses"),
        (["--think", "10", "--ramp", "60"], "starting over 60 s, ~10 s pauses"),
    )
    rows = []
    for extra, label in variants:
        result = asyncio.run(run(parser().parse_args(["--citizens", citizens, *extra])))
        rows += figures(result, f"{citizens} {label}")
    echo = asyncio.run(run(parser().parse_args(["--citizens", citizens, "--echo"])))
    rows += figures(echo, f"{citizens} at once, no pauses")
    return rows


def main() -> None:
    asyncio.run(run(parser().parse_args()))


if __name__ == "__main__":
    main()
