"""Start-up of ``python -m bot`` to its first answered update, and its idle memory after that.

A citizen's /start is already waiting at the sandbox (the fake Bot API of the tests) when the bot
process is spawned, exactly as after a restart; the clock runs from just before the spawn to the
sandbox storing the welcome. Then the bot idles ``--idle`` seconds (its jobs tick: outbox poll,
broadcasts, sweeps) and its resident memory is read from ``/proc/<pid>/status`` (VmRSS now,
VmHWM the peak). Four cases, ``--runs`` times each, the median reported:

* a first start on an empty database (migrations, seeding categories and areas) and a restart
  on the database that start left;
* Python as this environment runs it and, separately, with a bytecode cache. The project's own
  modules are only compiled to bytecode if Python may write it: with PYTHONDONTWRITEBYTECODE set
  (as on the project's machine) every start compiles bot/, handlers/ and storage/ again, which a
  ``pip install`` (bytecode compiled at install) never does. The cached case keeps the bytecode
  in a temporary PYTHONPYCACHEPREFIX, outside the checkout, after one untimed start.

Run: python bench/startup.py [--runs 5] [--idle 5]
Goals (issue 7): first answered update <= 1.5 s, idle RSS <= 80 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BotProcess, Citizen, Figure, Inbox, bot_env, load_note
from bot.playground.botapi import Sandbox, start_sandbox
from tests.conftest import TOKEN

GOAL_SECONDS = 1.5
GOAL_MB = 80.0


async def start_once(
    sandbox: Sandbox, inbox: Inbox, workdir: Path, env: dict[str, str], idle: float
) -> tuple[float, float, float]:
    """(seconds to the first answer, VmRSS after ``idle`` s, VmHWM) of one bot process."""
    citizen = Citizen(sandbox.citizen(first_name="Warga"), inbox, (0.0, 0.0), timeout=60)
    before = len(citizen.state.bot_messages)
    await citizen.person.send("/start")  # waiting for the bot before it exists
    bot = BotProcess(["-m", "bot"], env, workdir)
    await bot.start()
    try:
        if not await inbox.wait(citizen.state, before + 1, 60):
            raise SystemExit("the bot did not answer /start within 60 s")
        answered = citizen.state.bot_messages[before].sent_at - bot.started_at
        await asyncio.sleep(idle)
        return answered, bot.rss_mb(), bot.peak_rss_mb()
    finally:
        await bot.stop()


async def run(args: argparse.Namespace) -> dict[str, list[tuple[float, float, float]]]:
    sandbox = await start_sandbox(token=TOKEN)
    inbox = Inbox(sandbox)
    folder = tempfile.TemporaryDirectory(prefix="wargalapor-bench-startup-")
    root = Path(folder.name)
    results: dict[str, list[tuple[float, float, float]]] = {}
    try:
        for cached in (False, True):
            overrides: dict[str, str] = {}
            if cached:
                overrides["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
            env = bot_env(sandbox, Path("unset"), **overrides)
            if cached:
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                prime = root / "prime"
                prime.mkdir()
                env["DATABASE_PATH"] = str(prime / "wargalapor.sqlite3")
                await start_once(sandbox, inbox, prime, env, 0)  # writes the bytecode
            label = "bytecode cached" if cached else "as run here"
            if not cached and os.environ.get("PYTHONDONTWRITEBYTECODE"):
                label += " (PYTHONDONTWRITEBYTECODE set)"
            for run_number in range(args.runs):
                workdir = root / f"{'cached' if cached else 'plain'}-{run_number}"
                workdir.mkdir()
                env["DATABASE_PATH"] = str(workdir / "wargalapor.sqlite3")
                for case in ("first start, empty database", "restart, existing database"):
                    key = f"{case}, {label}"
                    once = await start_once(sandbox, inbox, workdir, env, args.idle)
                    results.setdefault(key, []).append(once)
    finally:
        await inbox.close()
        await sandbox.close()
        folder.cleanup()
    print(f"python -m bot, {args.runs} runs per case, idle {args.idle:g} s; {load_note()}")
    for key, runs in results.items():
        seconds = [r[0] for r in runs]
        print(
            f"{key:<66} first answer median {statistics.median(seconds):.2f} s"
            f" (min {min(seconds):.2f}, max {max(seconds):.2f});"
            f" idle RSS median {statistics.median(r[1] for r in runs):.1f} MB,"
            f" peak {max(r[2] for r in runs):.1f} MB"
        )
    return results


def figures(results: dict[str, list[tuple[float, float, float]]]) -> list[Figure]:
    rows = []
    for key, runs in results.items():
        seconds = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        rows.append(
            Figure(
                f"start-up to first answered update: {key}",
                "≤ 1.5 s",
                f"median {seconds:.2f} s (max {max(r[0] for r in runs):.2f} s, n={len(runs)})",
                seconds <= GOAL_SECONDS,
            )
        )
        if key.startswith("restart"):
            rows.append(
                Figure(
                    f"idle RSS after start-up: {key}",
                    "≤ 80 MB",
                    f"median {rss:.1f} MB (peak VmHWM {max(r[2] for r in runs):.1f} MB)",
                    rss <= GOAL_MB,
                )
            )
    return rows


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts per case (default 5)")
    parser.add_argument("--idle", type=float, default=5.0, help="idle before reading RSS, s")
    return parser


def measure(quick: bool = False) -> list[Figure]:
    """For run_all.py."""
    argv = ["--runs", "2", "--idle", "3"] if quick else []
    return figures(asyncio.run(run(parser().parse_args(argv))))


def main() -> None:
    asyncio.run(run(parser().parse_args()))


if __name__ == "__main__":
    main()
