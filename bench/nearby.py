"""Nearby-duplicate query with 1,000,000 reports in the database: p50/p99 milliseconds.

Measures ReportingService.nearby, the call the report conversation makes after the location step
(R*Tree box query, category and open-status filter, geopy distances), on a real SQLite file.

Run: python bench/nearby.py [--reports 1000000] [--queries 2000] [--db /tmp/nearby.sqlite3]
Goal (issue 3): p99 <= 5 ms. The database is built once and reused if it already has the rows.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.categories import load_categories
from bot.domain.reporting import ReportingService
from bot.geo.areas import AreaIndex
from storage.drafts import Draft
from storage.store import Store

STATUSES = ("new", "acknowledged", "in_progress", "resolved", "closed", "rejected")


async def fill(store: Store, count: int, rng: random.Random) -> None:
    row = await store.db.fetchone("SELECT COUNT(*) AS n FROM reports")
    existing = int(row["n"]) if row else 0
    if existing >= count:
        print(f"database already holds {existing} reports")
        return
    categories = [c.key for c in load_categories()]
    started = time.perf_counter()
    async with store.db.transaction() as conn:
        await conn.executemany(
            "INSERT OR IGNORE INTO citizens (user_id, chat_id, language, created_at)"
            " VALUES (?, ?, 'id', '2026-01-01T00:00:00+00:00')",
            [(i, i) for i in range(1, 1001)],
        )
    batch = 50_000
    for offset in range(existing, count, batch):
        rows = []
        for _ in range(min(batch, count - offset)):
            rows.append(
                (
                    rng.randint(1, 1000),
                    rng.choice(categories),
                    rng.uniform(-6.37, -6.08),
                    rng.uniform(106.68, 106.98),
                    "Laporan uji beban",
                    rng.choice(STATUSES),
                    "2026-01-01T00:00:00+00:00",
                    "2026-01-01T00:00:00+00:00",
                )
            )
        async with store.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO reports (citizen_id, category_key, lat, lon, description, status,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    print(f"inserted {count - existing} reports in {time.perf_counter() - started:.1f} s")


async def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    areas = AreaIndex.load()
    categories = load_categories()
    store = await Store.open(args.db)
    await store.categories.sync(categories)
    await fill(store, args.reports, rng)
    service = ReportingService(store, areas, categories, max_reports_per_hour=10)
    timings, shown = [], 0
    for _ in range(args.queries):
        draft = Draft(
            user_id=0,
            chat_id=0,
            token="bench",
            step="nearby",
            category_key=rng.choice(categories).key,
            lat=rng.uniform(-6.37, -6.08),
            lon=rng.uniform(106.68, 106.98),
        )
        start = time.perf_counter()
        found = await service.nearby(draft)
        timings.append((time.perf_counter() - start) * 1000)
        shown += len(found)
    await store.close()
    timings.sort()
    p50, p99 = timings[len(timings) // 2], timings[int(len(timings) * 0.99)]
    print(f"queries: {len(timings)}, reports offered per query: {shown / len(timings):.2f}")
    print(f"ms per nearby query: p50 {p50:.3f}, p99 {p99:.3f}, max {timings[-1]:.3f}")
    return {"reports": args.reports, "queries": len(timings), "p50": p50, "p99": p99}


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--db", default="/tmp/wargalapor-bench-nearby.sqlite3")
    parser.add_argument("--seed", type=int, default=11)
    return parser


def measure(quick: bool = False) -> list:
    """For run_all.py (quick: 100,000 reports in a database of their own)."""
    from bench.harness import Figure

    argv = ["--reports", "100000", "--queries", "500"] if quick else []
    if quick:
        argv += ["--db", "/tmp/wargalapor-bench-nearby-100k.sqlite3"]
    result = asyncio.run(run(parser().parse_args(argv)))
    return [
        Figure(
            f"nearby-duplicate query, {result['reports']:,} reports in SQLite",
            "p99 ≤ 5 ms",
            f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms"
            f" ({result['queries']:,} queries)",
            result["p99"] <= 5,
        )
    ]


def main() -> None:
    asyncio.run(run(parser().parse_args()))


if __name__ == "__main__":
    main()
