"""The report flow through the real bot on each engine: SQLite, PostgreSQL, two processes on one
PostgreSQL. Updates/s, latency p50/p99 and bot CPU per update, in one table.

Each set-up is the application ``python -m bot`` runs (bench/rate_bot.py: the same entry, with
the global 26-messages/s limiter raised out of the way, as bench/framework_floor.py does, so the
bot's own work is what is measured), in its own process against the sandbox in this one. The same
``--users`` simulated citizens (bench/harness.py ``Citizen``) file report after report (/report,
category, location, a photo with its caption, send: 5 updates), each waiting for every answer,
for ``--warmup`` then ``--seconds`` measured; no group is linked, so no alerts.

* SQLite, 1 process: the embedded default, the baseline every ratio is taken against.
* PostgreSQL, 1 process: a fresh database (migrated before the bot starts) on the server named by
  WARGALAPOR_TEST_POSTGRES, else a throwaway one (tests/pg_cluster.py), stopped at the end.
* PostgreSQL, 2 processes: both started on one database, both working: one polls (the polling
  lease, storage/polling_lease.py) and each takes its share of the updates from the inbox
  (bot/telegram/inbox_feeder.py) and sends its share of the chats. Each process's CPU is printed,
  so the split of the work is seen, not assumed.

The set-ups alternate for ``--rounds`` rounds, so a change in the shared machine's load meets each
of them; every ratio is to the SQLite run of the same round.

Run: python bench/engines.py [--users 50] [--seconds 20] [--warmup 3] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.framework_floor import LoadResult, drive, report_round
from bench.harness import (
    BotProcess,
    Citizen,
    Inbox,
    count_reports,
    cpu_seconds,
    load_note,
    own_cpu_seconds,
    percentile,
    report_points,
    wargalapor_bot,
    warm_up,
)
from bot.playground.botapi import Sandbox, start_sandbox
from storage.store import Store
from tests import pg_cluster
from tests.conftest import TOKEN

#: Each benchmark citizen files report after report: no flood control here.
SETTINGS = {"MAX_REPORTS_PER_HOUR": "1000000", "MAX_UPDATES_PER_MINUTE": "1000000"}


@dataclass(frozen=True)
class Setup:
    name: str
    postgres: bool
    processes: int


SETUPS = (
    Setup("SQLite, 1 process", False, 1),
    Setup("PostgreSQL, 1 process", True, 1),
    Setup("PostgreSQL, 2 processes", True, 2),
)


@dataclass
class Outcome:
    setup: Setup
    round: int
    load: LoadResult
    stored: int
    cpu_by_process: list[float]
    transactions: int = 0
    server_cpu: float = 0.0


async def new_database(server: str) -> tuple[str, str]:
    """A fresh database on ``server``, migrated here so no bot's start-up includes it."""
    name = f"bench_engines_{uuid.uuid4().hex[:12]}"
    await asyncio.to_thread(pg_cluster.admin_command, server, f"CREATE DATABASE {name}")
    url = pg_cluster.database_url(server, name)
    store = await Store.open(url)
    await store.close()
    return name, url


def transactions(url: str) -> int:
    """Transactions the database has seen (each statement outside a transaction is one):
    divided by the updates, roughly the round trips an update costs on PostgreSQL."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database"
            " WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def server_cpu(url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``url``'s database (the bots' pool
    connections; the server's background processes are not counted)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    spent = {}
    for (pid,) in rows:
        with contextlib.suppress(OSError):
            spent[int(pid)] = cpu_seconds(int(pid))
    return spent


def count_postgres(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM reports").fetchone()
    return int(row[0]) if row else 0


async def run_setup(
    sandbox: Sandbox,
    setup: Setup,
    number: int,
    work: Path,
    server: str | None,
    args: argparse.Namespace,
    points: list[tuple[float, float]],
) -> Outcome:
    folder = work / f"round{number}-{'pg' if setup.postgres else 'sqlite'}{setup.processes}"
    settings = dict(SETTINGS)
    name = None
    if setup.postgres:
        assert server is not None
        name, url = await new_database(server)
        settings["DATABASE_URL"] = url
    bots: list[BotProcess] = []
    for n in range(setup.processes):
        (folder / f"p{n}").mkdir(parents=True)
        bots.append(wargalapor_bot(sandbox, folder / f"p{n}", **settings))
    inbox = Inbox(sandbox)
    try:
        for bot in bots:
            await bot.start()
        await warm_up(sandbox, inbox, "/help")
        citizens = [
            Citizen(sandbox.citizen(first_name=f"Warga{i}"), inbox, points[i])
            for i in range(args.users)
        ]
        await drive(citizens, report_round, args.warmup, first=0)
        for citizen in citizens:
            citizen.steps.clear()
        url = settings.get("DATABASE_URL")
        xacts_before = await asyncio.to_thread(transactions, url) if url else 0
        server_before = await asyncio.to_thread(server_cpu, url) if url else {}
        cpu_before = [bot.cpu_seconds() for bot in bots]
        own_before = own_cpu_seconds()
        first_call = len(sandbox.world.calls)
        started = time.monotonic()
        await drive(citizens, report_round, args.seconds, first=50_000)
        seconds = time.monotonic() - started
        cpu = [bot.cpu_seconds() - before for bot, before in zip(bots, cpu_before, strict=True)]
        xacts = (await asyncio.to_thread(transactions, url) - xacts_before) if url else 0
        server_after = await asyncio.to_thread(server_cpu, url) if url else {}
        # A backend that started meanwhile (the pool grew) counts from zero.
        server_spent = sum(cpu - server_before.get(pid, 0.0) for pid, cpu in server_after.items())
        steps = [step for citizen in citizens for step in citizen.steps]
        load = LoadResult(
            setup.name,
            len(steps),
            seconds,
            sum(cpu),
            own_cpu_seconds() - own_before,
            [step.latency for step in steps],
            Counter(call.method for call in sandbox.world.calls[first_call:]),
            max(bot.peak_rss_mb() for bot in bots),
            sum(len(citizen.reports) for citizen in citizens),
        )
    finally:
        # All at once, so no process is left to finish another's share alone.
        await asyncio.gather(*(bot.stop() for bot in bots))
        await inbox.close()
        sandbox.world.pending.clear()  # nothing left over for the next set-up
    if setup.postgres:
        stored = await asyncio.to_thread(count_postgres, settings["DATABASE_URL"])
        assert server is not None and name is not None
        await asyncio.to_thread(pg_cluster.drop_database, server, name)
    else:
        stored = count_reports(folder / "p0" / "wargalapor.sqlite3")
    return Outcome(setup, number, load, stored, cpu, xacts, server_spent)


def table(outcomes: list[Outcome]) -> None:
    baseline = {o.round: o.load for o in outcomes if not o.setup.postgres}
    print(
        "\n| set-up | round | updates/s | × SQLite | latency p50 ms | p99 ms | × SQLite (p99) |"
        " bot CPU ms/update | CPU per process (s) | PostgreSQL transactions/update |"
        " PostgreSQL backends' CPU ms/update | confirmed = stored |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for o in outcomes:
        load, base = o.load, baseline[o.round]
        rate, base_rate = load.updates / load.seconds, base.updates / base.seconds
        p99, base_p99 = percentile(load.latencies, 0.99), percentile(base.latencies, 0.99)
        spent = ", ".join(f"{c:.1f}" for c in o.cpu_by_process)
        print(
            f"| {o.setup.name} | {o.round} | {rate:.1f} | {rate / base_rate:.2f}× |"
            f" {percentile(load.latencies, 0.5) * 1000:.0f} | {p99 * 1000:.0f} |"
            f" {p99 / base_p99:.2f}× | {load.cpu_ms:.2f} | {spent} |"
            f" {f'{o.transactions / load.updates:.1f}' if o.setup.postgres else '—'} |"
            f" {f'{o.server_cpu / load.updates * 1000:.2f}' if o.setup.postgres else '—'} |"
            f" {load.reports} = {o.stored} |"
        )


async def run(args: argparse.Namespace, server: str | None) -> list[Outcome]:
    sandbox = await start_sandbox(token=TOKEN)
    points = report_points(args.users)
    outcomes = []
    print(
        f"{args.users} simulated citizens, {args.warmup:g} s warm-up, {args.seconds:g} s measured"
        f" per set-up, {args.rounds} rounds; {load_note()}"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="wargalapor-bench-engines-") as folder:
            for number in range(1, args.rounds + 1):
                for setup in SETUPS:
                    if setup.postgres and server is None:
                        continue
                    outcome = await run_setup(
                        sandbox, setup, number, Path(folder), server, args, points
                    )
                    print(f"round {number}: {outcome.load.line()} | {load_note()}", flush=True)
                    outcomes.append(outcome)
    finally:
        await sandbox.close()
    table(outcomes)
    return outcomes


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sqlite-only", action="store_true", help="no PostgreSQL set-ups")
    return parser


def main() -> None:
    args = parser().parse_args()
    cluster = None
    server = None
    if not args.sqlite_only:
        server = os.environ.get(pg_cluster.ENV_URL)
        if not server:
            cluster = pg_cluster.start_cluster()
            if cluster is None:
                raise SystemExit("PostgreSQL is not installed here (apt-get install postgresql)")
            server = cluster.url
    try:
        asyncio.run(run(args, server))
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
