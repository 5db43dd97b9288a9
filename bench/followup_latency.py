"""Follow-up latency: from a change to a report until its follower's message reaches Telegram.

The real bot long-polls the sandbox (the fake Bot API of the tests) on a temporary database, with
OUTBOX_POLL_SECONDS at its default of 2. A citizen files two reports through the sandbox, so they
follow both, one per path. By default each report's kelurahan has its own linked group, so every
change also refreshes an alert card there before the follow-up goes out, as in production
(``--no-card``: no group, no admins' chat, no card). Then:

* in-process, on the report at Monas: ``CasesService.change_status`` (twice) then ``add_note``,
  in the bot's own process, which wakes the outbox job at once; timed from just before the call;
* another process, on the report at Kota Tua: ``python -m bot case update REF --note ...``,
  whose rows the bot only finds on its OUTBOX_POLL_SECONDS poll; timed from the CLI's exit (just
  after its commit: what follows is closing the database and the interpreter) and from its start
  (Python, imports, settings, opening the database).

Arrival is the sandbox's own timestamp of the ``sendMessage`` it stores for the citizen.

Run: python bench/followup_latency.py [--rounds 30] [--gap 0.25] [--no-card]
Goals: in-process <= 1 s, CLI <= 2 s (from the CLI's exit).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.cases import Actor, Outcome
from bot.playground.botapi import BotMessage, Person, Sandbox, start_sandbox
from storage.groups import Scope
from tests.conftest import TOKEN, RunningBot, make_settings
from tests.helpers import KOTA_TUA, MONAS, file_report
from tests.test_groups import GAMBIR, PINANGSIA, linked_group, next_alert

ROOT = Path(__file__).resolve().parent.parent
STATUS_STEPS = ("acknowledged", "in_progress")  # then notes: the status stays in_progress


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(label: str, seconds: list[float], goal: float | None = None) -> str:
    ms = [s * 1000 for s in seconds]
    over = "" if goal is None else f", {sum(s > goal for s in seconds)} over {goal:g} s"
    return (
        f"{label:<30} p50 {percentile(ms, 0.5):5.0f} ms, p95 {percentile(ms, 0.95):5.0f} ms,"
        f" max {max(ms):5.0f} ms, min {min(ms):4.0f} ms (n={len(ms)}{over})"
    )


async def arrival(warga: Person, marker: str, within: float) -> BotMessage:
    """The citizen's next message carrying ``marker`` (anything else before it is skipped)."""
    deadline = time.monotonic() + within
    while True:
        message = await warga.next_message(timeout=max(0.0, deadline - time.monotonic()))
        if marker in message.plain_text:
            return message


async def in_process(
    bot: RunningBot, warga: Person, ref: int, args: argparse.Namespace, rng: random.Random
) -> list[float]:
    cases = bot.services.cases
    actor = Actor(kind="agency", id=None, name="Bench (in-process)")
    timings = []
    for i in range(args.rounds):
        await asyncio.sleep(rng.uniform(0, 2 * args.gap))
        note = f"Catatan uji dalam proses {i}"
        start = time.monotonic()
        if i < len(STATUS_STEPS):
            result = await cases.change_status(ref, STATUS_STEPS[i], actor, note=note)
        else:
            result = await cases.add_note(ref, actor, note=note)
        assert result.outcome is Outcome.CHANGED, result.outcome
        message = await arrival(warga, note, within=30)
        timings.append(message.sent_at - start)
    return timings


async def from_cli(
    warga: Person, ref: int, db_path: Path, args: argparse.Namespace, rng: random.Random
) -> tuple[list[float], list[float], list[float]]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(db_path)}
    after_exit, after_start, run_times = [], [], []
    for i in range(args.rounds):
        # A random phase against the bot's poll, so the rounds sample all of its interval.
        await asyncio.sleep(rng.uniform(0, args.poll))
        note = f"Catatan uji dari CLI {i}"
        command = [sys.executable, "-m", "bot", "case", "update", str(ref), "--note", note]
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        exited = time.monotonic()
        if process.returncode != 0:
            raise SystemExit(f"CLI failed ({process.returncode}): {stderr.decode().strip()}")
        message = await arrival(warga, note, within=3 * args.poll + 10)
        after_exit.append(message.sent_at - exited)
        after_start.append(message.sent_at - started)
        run_times.append(exited - started)
    return after_exit, after_start, run_times


async def filed(
    sandbox: Sandbox,
    bot: RunningBot,
    admin: Person,
    warga: Person,
    scope: Scope,
    where: tuple[float, float],
    no_card: bool,
) -> int:
    """A report filed through the sandbox; unless ``no_card``, its alert lands in a new group."""
    group = None
    if not no_card:
        title = f"Kelurahan {scope.key}"
        group = await linked_group(sandbox, bot.services.store, admin, scope, title=title)
    ref = await file_report(warga, photos=0, where=where, description=f"Banjir dekat {where}")
    if group is not None:
        await next_alert(group)
    return ref


async def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    sandbox = await start_sandbox(token=TOKEN)
    folder = tempfile.TemporaryDirectory(prefix="wargalapor-bench-")
    db_path = Path(folder.name) / "wargalapor.sqlite3"
    admin = sandbox.citizen(first_name="Admin", started=True)
    settings = make_settings(
        sandbox,
        db_path,
        ADMIN_USER_IDS=str(admin.user_id),
        OUTBOX_POLL_SECONDS=f"{args.poll:g}",
        LOG_LEVEL="WARNING",
    )
    bot = RunningBot(settings)
    await bot.start()
    try:
        warga = sandbox.citizen(first_name="Warga")
        ref_inside = await filed(sandbox, bot, admin, warga, GAMBIR, MONAS, args.no_card)
        ref_cli = await filed(sandbox, bot, admin, warga, PINANGSIA, KOTA_TUA, args.no_card)
        print(
            f"reports #{ref_inside} (in-process) and #{ref_cli} (CLI); alert cards:"
            f" {'none' if args.no_card else 'one per report, each in its own kelurahan group'};"
            f" OUTBOX_POLL_SECONDS={args.poll:g}; {args.rounds} rounds per path"
        )
        edits_before = len(sandbox.calls_to("editMessageText"))
        inside = await in_process(bot, warga, ref_inside, args, rng)
        print(summary("in-process change → message", inside, goal=1.0))
        after_exit, after_start, run_times = await from_cli(warga, ref_cli, db_path, args, rng)
        print(summary("CLI exit → message", after_exit, goal=2.0))
        print(summary("CLI start → message", after_start, goal=2.0))
        print(summary("CLI process, start → exit", run_times))
        edits = len(sandbox.calls_to("editMessageText")) - edits_before
        print(f"alert card edits: {edits}; 429 answers served by the sandbox: {sandbox.count_429}")
        return {"inside": inside, "after_exit": after_exit, "after_start": after_start}
    finally:
        await bot.stop()
        await sandbox.close()
        folder.cleanup()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="changes per path (default 30)")
    parser.add_argument(
        "--poll", type=float, default=2.0, help="OUTBOX_POLL_SECONDS for the bot (default 2)"
    )
    parser.add_argument(
        "--gap",
        type=float,
        default=0.25,
        help="mean pause between in-process changes, seconds (default 0.25)",
    )
    parser.add_argument("--no-card", action="store_true", help="no alert card to refresh")
    parser.add_argument("--seed", type=int, default=7)
    return parser


def measure(quick: bool = False) -> list:
    """For run_all.py: changes 1.25 s apart (the goals), then 0.25 s apart (no goal)."""
    from bench.harness import Figure

    rows = []
    for gap in (1.25, 0.25):
        argv = ["--gap", str(gap)] + (["--rounds", "10"] if quick else [])
        result = asyncio.run(run(parser().parse_args(argv)))
        inside, after_exit = result["inside"], result["after_exit"]
        goals = gap == 1.25
        rows.append(
            Figure(
                f"follow-up latency in-process, changes {gap:g} s apart, alert card to refresh",
                "≤ 1 s" if goals else "—",
                f"p50 {percentile(inside, 0.5) * 1000:.0f} ms, p95"
                f" {percentile(inside, 0.95) * 1000:.0f} ms, max {max(inside) * 1000:.0f} ms"
                f" ({sum(s > 1.0 for s in inside)} of {len(inside)} over 1 s)",
                max(inside) <= 1.0 if goals else None,
            )
        )
        rows.append(
            Figure(
                f"follow-up latency from the CLI's exit, changes {gap:g} s apart",
                "≤ 2 s" if goals else "—",
                f"p50 {percentile(after_exit, 0.5) * 1000:.0f} ms, p95"
                f" {percentile(after_exit, 0.95) * 1000:.0f} ms, max"
                f" {max(after_exit) * 1000:.0f} ms ({sum(s > 2.0 for s in after_exit)} of"
                f" {len(after_exit)} over 2 s)",
                max(after_exit) <= 2.0 if goals else None,
            )
        )
    return rows


def main() -> None:
    asyncio.run(run(parser().parse_args()))


if __name__ == "__main__":
    main()
