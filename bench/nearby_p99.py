"""The nearby-duplicate query at 1,000,000 reports, on SQLite and on PostgreSQL: p50/p99/max.

What is timed is ``bot.domain.nearby.nearby_reports``, the call the report conversation makes after
the location step: ``ReportRepository.nearby_candidates`` (the engine's spatial box query,
``Dialect.reports_in_box``: the R*Tree ``reports_geo`` on SQLite, the GiST index ``reports_geo``
on ``point(lon, lat)`` on PostgreSQL; then the category and open-status filter), refined by
geodesic distance. Both databases get the same reports and the same query points.

Why these fills: a million rows through the repositories would take an hour, so SQLite gets
``executemany`` in transactions of 100,000 rows on the real schema (its triggers fill the R*Tree
and the status counts), PostgreSQL ``COPY`` into the schema ``PostgresDatabase`` migrated (its
GiST index and foreign keys kept; the status-counting trigger off for the load, see
:func:`fill_postgres`), then ``ANALYZE``. Reports cluster as a city's do: most around a
few dozen busy places (markets, flood-prone riverbanks), the rest spread over Jakarta's box, in
every category and status (most long closed). Queries are drawn from the same distribution: a
citizen reports where others do, so the busy places, the query's worst case, weigh as they would.

Why a baseline in the same run: the machine is shared and noisy, so each engine's query is also
given as a multiple of the same engine's primary-key read (``ReportRepository.get``, the same
round trip and row mapping without the spatial work), and the engines alternate in blocks of 100
queries so both meet the same load.

Run: python bench/nearby_p99.py [--reports 1000000] [--queries 2000] [--seed 15] [--fresh]
The SQLite file is kept in /tmp for the next run (``--fresh`` builds it again); PostgreSQL's
database is filled in every run (COPY is quick) and dropped at the end.
PostgreSQL: the server named by WARGALAPOR_TEST_POSTGRES (a database is created and dropped on
it), else a throwaway one (tests/pg_cluster.py), stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import load_note, percentile
from bot.domain import statuses
from bot.domain.categories import load_categories
from bot.domain.nearby import nearby_reports
from storage.backend import Params
from storage.drafts import Draft
from storage.postgres import PostgresDatabase
from storage.store import Store
from tests import pg_cluster

#: Mainland Jakarta's bounding box, as bench/geo_lookup.py and bench/nearby.py draw it.
SOUTH, NORTH, WEST, EAST = -6.37, -6.08, 106.68, 106.98
CITIZENS = 50_000
BATCH = 100_000
BLOCK = 100  # queries per engine before the other engine's turn
#: Most reports are long done; about one in six is still open (a nearby candidate).
STATUS_WEIGHTS = {
    statuses.NEW: 5,
    statuses.ACKNOWLEDGED: 3,
    statuses.IN_PROGRESS: 6,
    statuses.REOPENED: 1,
    statuses.RESOLVED: 12,
    statuses.CLOSED: 58,
    statuses.REJECTED: 9,
    statuses.DUPLICATE: 6,
}
CATEGORY_WEIGHTS = {
    "flood": 20,
    "garbage": 24,
    "road_damage": 15,
    "street_light": 8,
    "fallen_tree": 4,
    "blocked_drain": 12,
    "illegal_parking": 7,
    "public_facility": 5,
    "security": 2,
    "other": 3,
}
COLUMNS = "citizen_id, category_key, lat, lon, description, status, created_at, updated_at"


@dataclass
class City:
    """Where reports are made: busy places (a centre, a spread in degrees, a weight), and the
    rest of the box."""

    hotspots: list[tuple[float, float, float]]
    weights: list[float]
    spread_share: float = 0.3

    @classmethod
    def make(cls, rng: random.Random, places: int = 40) -> City:
        hotspots = [
            (
                rng.uniform(SOUTH + 0.02, NORTH - 0.03),
                rng.uniform(WEST + 0.02, EAST - 0.02),
                rng.uniform(0.002, 0.02),
            )
            for _ in range(places)
        ]
        return cls(hotspots, [rng.paretovariate(1.2) for _ in range(places)])

    def point(self, rng: random.Random) -> tuple[float, float]:
        if rng.random() < self.spread_share:
            return rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
        lat, lon, sigma = rng.choices(self.hotspots, self.weights)[0]
        return (
            min(NORTH, max(SOUTH, rng.gauss(lat, sigma))),
            min(EAST, max(WEST, rng.gauss(lon, sigma))),
        )


def report_batches(count: int, seed: int) -> Iterator[list[tuple[Any, ...]]]:
    """The same ``count`` report rows for every engine, ``BATCH`` at a time."""
    rng = random.Random(seed)
    city = City.make(rng)
    known = {c.key for c in load_categories()}
    categories = [key for key in CATEGORY_WEIGHTS if key in known]
    category_weights = [CATEGORY_WEIGHTS[key] for key in categories]
    status_names, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    start = datetime(2024, 12, 1, tzinfo=UTC)
    two_years = 2 * 365 * 86400
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        cats = rng.choices(categories, category_weights, k=size)
        sts = rng.choices(status_names, status_weights, k=size)
        rows = []
        for i in range(size):
            lat, lon = city.point(rng)
            at = (start + timedelta(seconds=rng.randrange(two_years))).isoformat()
            rows.append(
                (rng.randint(1, CITIZENS), cats[i], lat, lon, "Laporan uji beban", sts[i], at, at)
            )
        yield rows


def query_drafts(count: int, seed: int) -> list[Draft]:
    """Query points from the reports' own distribution (the same city), other citizens."""
    rng = random.Random(seed)
    city = City.make(rng)  # the same busy places as report_batches (same seed, same draws)
    rng = random.Random(seed + 1)
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    drafts = []
    for _ in range(count):
        lat, lon = city.point(rng)
        key = rng.choices(categories, weights)[0]
        drafts.append(Draft(0, 0, "bench", "nearby", category_key=key, lat=lat, lon=lon))
    return drafts


# -- filling ---------------------------------------------------------------------------------


async def fill_sqlite(store: Store, count: int, seed: int) -> None:
    async with store.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO citizens (user_id, chat_id, language, created_at)"
            " VALUES (?, ?, 'id', '2024-12-01T00:00:00+00:00') ON CONFLICT (user_id) DO NOTHING",
            [(i, i) for i in range(1, CITIZENS + 1)],
        )
    for rows in report_batches(count, seed):
        async with store.db.transaction() as conn:
            await conn.executemany(
                f"INSERT INTO reports ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )


async def fill_postgres(db: PostgresDatabase, count: int, seed: int) -> None:
    async with db.pool.connection() as conn:
        async with (
            conn.transaction(),
            conn.cursor().copy(
                "COPY citizens (user_id, chat_id, language, created_at) FROM STDIN"
            ) as copy,
        ):
            for i in range(1, CITIZENS + 1):
                await copy.write_row((i, i, "id", "2024-12-01T00:00:00+00:00"))
        # The per-status counting trigger updates one report_counts row per report; in one
        # transaction each update walks every earlier version of that row (none can be pruned
        # yet), so a batch costs about its size squared: 100,000 rows took 280 to 345 s here.
        # It is off for the load, and the counts are made once after, as a migration would.
        await conn.execute("ALTER TABLE reports DISABLE TRIGGER report_counts_insert")
        for rows in report_batches(count, seed):
            async with (
                conn.transaction(),
                conn.cursor().copy(f"COPY reports ({COLUMNS}) FROM STDIN") as copy,
            ):
                for row in rows:
                    await copy.write_row(row)
        await conn.execute("ALTER TABLE reports ENABLE TRIGGER report_counts_insert")
        await conn.execute(
            "INSERT INTO report_counts (status, n) SELECT status, COUNT(*) FROM reports"
            " GROUP BY status ON CONFLICT (status) DO UPDATE SET n = excluded.n"
        )
        await conn.execute("ANALYZE")


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Engine:
    name: str
    store: Store
    fill_seconds: float = math.nan  # nan: a kept file, not built in this run
    nearby_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    offered: int = 0
    plan: list[str] = field(default_factory=list)
    spatial: bool = False


async def statement(store: Store, draft: Draft) -> tuple[str, Params]:
    """The SQL ``nearby_candidates`` sends, read off the backend for one call (for EXPLAIN)."""
    seen: list[tuple[str, Params]] = []
    original = store.db.fetchall

    async def recording(sql: str, params: Params = ()) -> list[Any]:
        seen.append((sql, params))
        return await original(sql, params)

    setattr(store.db, "fetchall", recording)  # noqa: B010  (an instance attribute, one call)
    try:
        await nearby_reports(store, draft)
    finally:
        delattr(store.db, "fetchall")
    return seen[0]


async def explain(engine: Engine, draft: Draft) -> None:
    sql, params = await statement(engine.store, draft)
    if engine.name == "SQLite":
        rows = await engine.store.db.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
        engine.plan = [str(row["detail"]) for row in rows]
        engine.spatial = engine.plan[0].startswith("SCAN g VIRTUAL TABLE")
    else:
        rows = await engine.store.db.fetchall(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        engine.plan = [str(row[0]) for row in rows]
        engine.spatial = any("reports_geo" in line for line in engine.plan)


async def block(engine: Engine, drafts: list[Draft], ids: list[int], timed: bool) -> None:
    for draft, report_id in zip(drafts, ids, strict=True):
        start = time.perf_counter()
        found = await nearby_reports(engine.store, draft)
        middle = time.perf_counter()
        await engine.store.reports.get(report_id)
        end = time.perf_counter()
        if timed:
            engine.nearby_ms.append((middle - start) * 1000)
            engine.floor_ms.append((end - middle) * 1000)
            engine.offered += len(found)


async def measure(engines: list[Engine], args: argparse.Namespace) -> None:
    drafts = query_drafts(args.warmup + args.queries, args.seed)
    rng = random.Random(args.seed + 2)
    ids = [1001 + rng.randrange(args.reports) for _ in drafts]
    for engine in engines:  # a first touch of each file and server, untimed
        await block(engine, drafts[: args.warmup], ids[: args.warmup], timed=False)
    for start in range(args.warmup, len(drafts), BLOCK):
        for engine in engines:
            await block(engine, drafts[start : start + BLOCK], ids[start : start + BLOCK], True)
    for engine in engines:
        await explain(engine, drafts[-1])


def summary(engines: list[Engine], args: argparse.Namespace) -> None:
    print(f"\n{args.queries:,} queries per engine at {args.reports:,} reports; {load_note()}")
    header = "engine      fill s   nearby p50    p99     max  | pk read p50   p99 | p99 / pk p99"
    print(header)
    for e in engines:
        p50, p99 = percentile(e.nearby_ms, 0.5), percentile(e.nearby_ms, 0.99)
        f50, f99 = percentile(e.floor_ms, 0.5), percentile(e.floor_ms, 0.99)
        print(
            f"{e.name:<10} {'kept' if math.isnan(e.fill_seconds) else f'{e.fill_seconds:.1f}':>7}"
            f" {p50:10.3f} {p99:8.3f} {max(e.nearby_ms):7.2f}"
            f"  | {f50:10.3f} {f99:6.3f} | {p99 / f99:6.1f}x"
            f"   (reports offered per query {e.offered / len(e.nearby_ms):.2f})"
        )
    if len(engines) == 2:
        a, b = engines
        for share in (0.5, 0.99):
            ratio = percentile(b.nearby_ms, share) / percentile(a.nearby_ms, share)
            print(f"{b.name} / {a.name} at p{share * 100:g}: {ratio:.2f}x")
    for e in engines:
        print(f"\n{e.name} plan (spatial index used: {'yes' if e.spatial else 'NO'}):")
        for line in e.plan:
            print(f"  {line}")


async def open_sqlite(args: argparse.Namespace) -> Engine:
    """The SQLite file of these reports, built once and kept (filling a million rows takes 1.5
    to 9 minutes on this shared machine); ``--fresh`` builds it again."""
    path = Path(
        args.sqlite_file or f"/tmp/wargalapor-bench-nearby-p99-{args.reports}-{args.seed}.sqlite3"
    )
    if args.fresh:
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
    store = await Store.open(path)
    row = await store.db.fetchone("SELECT COUNT(*) AS n FROM reports")
    if row is not None and int(row["n"]) == args.reports:
        print(f"SQLite: {args.reports:,} reports already in {path} (--fresh to build it again)")
        return Engine("SQLite", store, math.nan)
    if row is not None and int(row["n"]):
        await store.close()
        raise SystemExit(f"{path} holds {int(row['n']):,} reports, not {args.reports:,}: --fresh")
    await store.categories.sync(load_categories())
    started = time.perf_counter()
    await fill_sqlite(store, args.reports, args.seed)
    engine = Engine("SQLite", store, time.perf_counter() - started)
    print(f"SQLite: {args.reports:,} reports in {engine.fill_seconds:.1f} s into {path}")
    return engine


async def open_engines(args: argparse.Namespace, server: str | None) -> list[Engine]:
    engines = []
    if "sqlite" in args.engines:
        engines.append(await open_sqlite(args))
    if server is not None:
        store = await Store.open(pg_cluster.database_url(server, args.pg_database))
        await store.categories.sync(load_categories())
        assert isinstance(store.db, PostgresDatabase)
        started = time.perf_counter()
        await fill_postgres(store.db, args.reports, args.seed)
        engines.append(Engine("PostgreSQL", store, time.perf_counter() - started))
        print(f"PostgreSQL: {args.reports:,} reports in {engines[-1].fill_seconds:.1f} s")
    return engines


async def run(args: argparse.Namespace, server: str | None) -> None:
    print(f"start: {load_note()}")
    engines = await open_engines(args, server)
    try:
        await measure(engines, args)
    finally:
        for engine in engines:
            await engine.store.close()
    summary(engines, args)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200, help="untimed queries per engine")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--sqlite-file", help="default /tmp/wargalapor-bench-nearby-p99-N-SEED…")
    parser.add_argument("--fresh", action="store_true", help="build the SQLite file again")
    return parser


def main() -> None:
    args = parser().parse_args()
    args.pg_database = f"bench_nearby_{uuid.uuid4().hex[:12]}"
    cluster = None
    server = None
    if "postgresql" in args.engines:
        server = os.environ.get(pg_cluster.ENV_URL)
        if not server:
            cluster = pg_cluster.start_cluster()
            if cluster is None:
                raise SystemExit("PostgreSQL is not installed here (apt-get install postgresql)")
            server = cluster.url
        pg_cluster.admin_command(server, f"CREATE DATABASE {args.pg_database}")
    try:
        asyncio.run(run(args, server))
    finally:
        if server is not None:
            pg_cluster.drop_database(server, args.pg_database)
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
