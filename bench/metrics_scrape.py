"""Citizens' /help latency with and without scrapers looping on ``/metrics`` and ``/healthz``.

A database of ``--reports`` reports and ``--outbox`` outbox rows (all delivered, recent, so
nothing is sent or pruned while measuring) is built with ``executemany``, then the real bot
(``python -m bot``, HTTP_PORT set) runs against the sandbox on it. Citizens send /help one after
another, ``--samples`` times: first with nobody scraping, then with ``--clients`` HTTP clients
in a separate process, each looping GET /metrics then GET /healthz as fast as answered. The
latency runs from the update queued at the sandbox to the answer stored there.

Run: python bench/metrics_scrape.py [--reports 200000] [--outbox 1000000] [--samples 100]
     [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    BotProcess,
    Citizen,
    Figure,
    Inbox,
    bot_env,
    load_note,
    percentile,
)
from bot.playground.botapi import start_sandbox
from tests.conftest import TOKEN

STATUSES = ("new", "acknowledged", "in_progress", "resolved", "closed")
SCRIPT = str(Path(__file__).resolve())
KINDS = ("followup", "alert_card", "alert_more_photos", "broadcast")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def build(database: Path, reports: int, outbox: int) -> float:
    """The schema of this tree (Store.open migrates), then the rows; returns seconds taken."""
    from storage.store import Store

    started = time.monotonic()
    store = await Store.open(database)
    await store.close()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA synchronous=OFF")
        db.executemany(
            "INSERT INTO citizens (user_id, chat_id, created_at) VALUES (?, ?, ?)",
            ((10_000_000 + i, 10_000_000 + i, now) for i in range(1000)),
        )
        db.executemany(
            "INSERT INTO reports (citizen_id, category_key, lat, lon, area_code, description,"
            " status, created_at, updated_at) VALUES (?, 'flood', ?, ?, '3173080003', ?, ?, ?, ?)",
            (
                (
                    10_000_000 + i % 1000,
                    -6.17 - (i % 300) * 1e-4,
                    106.82 + (i // 300 % 300) * 1e-4,
                    "Air setinggi lutut di depan pintu timur",
                    STATUSES[i % len(STATUSES)],
                    now,
                    now,
                )
                for i in range(reports)
            ),
        )
        db.executemany(
            "INSERT INTO outbox (chat_id, kind, payload, not_before, state, created_at, sent_at,"
            " sent_message_id) VALUES (?, ?, '{}', ?, ?, ?, ?, ?)",
            (
                (
                    10_000_000 + i % 1000,
                    KINDS[i % len(KINDS)],
                    now,
                    "dead" if i % 50 == 0 else "sent",
                    now,
                    now,
                    i,
                )
                for i in range(outbox)
            ),
        )
    return time.monotonic() - started


async def scrape(url: str, clients: int, seconds: float) -> None:
    """The scrapers' process: ``clients`` loops, then the count of answers on stdout."""
    import httpx

    done = {"metrics": 0, "healthz": 0, "errors": 0}
    deadline = time.monotonic() + seconds

    async def loop() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            while time.monotonic() < deadline:
                for path in ("metrics", "healthz"):
                    try:
                        answer = await http.get(f"/{path}")
                        done[path if answer.status_code == 200 else "errors"] += 1
                    except httpx.HTTPError:
                        done["errors"] += 1

    await asyncio.gather(*(loop() for _ in range(clients)))
    print(json.dumps({**done, "seconds": seconds}), flush=True)


async def helps(citizens: list[Citizen], samples: int) -> list[float]:
    latencies = []
    for n in range(samples):
        citizen = citizens[n % len(citizens)]
        await citizen.step("/help", lambda c=citizen: c.person.send("/help"))
        latencies.append(citizen.steps[-1].latency)
        await asyncio.sleep(0.05)
    return latencies


def summary(name: str, latencies: list[float]) -> str:
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    return f"{name}: /help p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms ({len(latencies)})"


async def run(args: argparse.Namespace) -> dict[str, object]:
    folder = tempfile.TemporaryDirectory(prefix="wargalapor-bench-metrics-")
    workdir = Path(folder.name)
    database = workdir / "wargalapor.sqlite3"
    built = await build(database, args.reports, args.outbox)
    print(f"built {args.reports:,} reports and {args.outbox:,} outbox rows in {built:.0f} s")
    sandbox = await start_sandbox(token=TOKEN)
    inbox = Inbox(sandbox)
    port = free_port()
    env = bot_env(sandbox, database, HTTP_PORT=str(port), QUIET_HOURS="off")
    bot = BotProcess(["-m", "bot"], env, workdir)
    citizens = [Citizen(sandbox.citizen(), inbox, (0.0, 0.0)) for _ in range(5)]
    try:
        await bot.start()
        for citizen in citizens:  # the first answer waits for start-up and migrations
            await citizen.step("/start", lambda c=citizen: c.person.send("/start"))
        quiet = await helps(citizens, args.samples)
        scrapers = await asyncio.create_subprocess_exec(
            sys.executable,
            SCRIPT,
            "--scrape",
            f"http://127.0.0.1:{port}",
            "--clients",
            str(args.clients),
            "--seconds",
            "3600",
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        await asyncio.sleep(2.0)  # the loops are running
        started = time.monotonic()
        loaded = await helps(citizens, args.samples)
        elapsed = time.monotonic() - started
        scrapers.terminate()
        await scrapers.wait()
        scraped = await bot_scrape_rate(port, args.clients)
    finally:
        await bot.stop()
        await inbox.close()
        await sandbox.close()
        folder.cleanup()
    ratio_p50 = percentile(loaded, 0.5) / percentile(quiet, 0.5)
    ratio_p99 = percentile(loaded, 0.99) / percentile(quiet, 0.99)
    print(load_note())
    print(summary("no scrapers", quiet))
    print(summary(f"{args.clients} scrapers", loaded) + f" over {elapsed:.0f} s")
    print(f"scrapes answered per second (measured after): {scraped:.0f}")
    print(f"ratio with / without scrapers: p50 {ratio_p50:.2f}x, p99 {ratio_p99:.2f}x")
    return {"quiet": quiet, "loaded": loaded, "p50": ratio_p50, "p99": ratio_p99}


async def bot_scrape_rate(port: int, clients: int) -> float:
    """Scrapes answered per second over 3 s (a second, short scraper run: the figure above)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        SCRIPT,
        "--scrape",
        f"http://127.0.0.1:{port}",
        "--clients",
        str(clients),
        "--seconds",
        "3",
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    out, _ = await process.communicate()
    counts = json.loads(out.decode().strip().splitlines()[-1])
    return (counts["metrics"] + counts["healthz"]) / counts["seconds"]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--outbox", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--scrape", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=3600, help=argparse.SUPPRESS)
    return parser


def measure(quick: bool = False) -> list[Figure]:
    """For run_all.py."""
    argv = ["--reports", "20000", "--outbox", "100000"] if quick else []
    result = asyncio.run(run(parser().parse_args(argv)))
    loaded, quiet = result["loaded"], result["quiet"]
    assert isinstance(loaded, list) and isinstance(quiet, list)
    return [
        Figure(
            "citizens' /help with 8 clients looping on /metrics and /healthz (200,000 reports,"
            " 1,000,000 outbox rows) / without",
            "—",
            f"p50 {percentile(loaded, 0.5) * 1000:.0f} / {percentile(quiet, 0.5) * 1000:.0f} ms"
            f" = {result['p50']:.2f}x, p99 {percentile(loaded, 0.99) * 1000:.0f} /"
            f" {percentile(quiet, 0.99) * 1000:.0f} ms = {result['p99']:.2f}x",
        )
    ]


def main() -> None:
    args = parser().parse_args()
    if args.scrape:
        asyncio.run(scrape(args.scrape, args.clients, args.seconds))
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
