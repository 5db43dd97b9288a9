"""Move a city's data from its SQLite file to PostgreSQL (``python -m bot copy-db``).

Why it reads one snapshot: the source may still be the running bot's file. A read transaction
on a read-only connection of its own sees the database as it was when the copy began, so the
copy is consistent (every event has its report, every outbox row its broadcast) whatever the
bot writes meanwhile; stop the bot before the copy that is the cut-over.

The target must be migrated to the same schema version and hold no data. Rows go in batches in
one transaction: a failure leaves the target as empty as it was. Two things PostgreSQL keeps
itself and the copy leaves to it: the per-status counters (``report_counts``,
``outbox_counts``, rebuilt by their triggers as the rows arrive) and the identity sequences,
moved past the highest copied id at the end.

Why the counting triggers are off during the copy: each one updates the same few counter rows
once per copied row, and inside one transaction PostgreSQL cannot prune the dead versions those
updates leave, so every update walks all earlier ones: a copy's time grew with the square of its
rows (100,000 reports in one transaction took about 300 s against 16 s without the trigger, in
bench/nearby_p99.py's fill). The counts are made once at the end instead, by the same
``GROUP BY`` a migration would use; ``ALTER TABLE`` is transactional, so a failed copy leaves the
triggers as they were.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiosqlite

from storage.backend import Backend, Connection

BATCH = 1000
#: Kept by triggers on PostgreSQL; copying them as rows would count every report twice.
DERIVED = frozenset({"report_counts", "outbox_counts"})
#: (table, its row-counting trigger, the counter table, the counted columns).
COUNTED = (
    ("reports", "report_counts_insert", "report_counts", "status"),
    ("outbox", "outbox_counts_insert", "outbox_counts", "state, kind"),
)


class CopyError(Exception):
    """The copy cannot start (the message says why); nothing was written."""


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)


def readonly_uri(path: Path) -> str:
    """``path`` as a read-only SQLite URI: the copy never writes to the source."""
    if not path.is_file():
        raise CopyError(f"{path} does not exist")
    return f"{path.resolve().as_uri()}?mode=ro"


async def copy_database(
    source: Path, target: Backend, *, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """Copy every table of the SQLite file ``source`` into the open, migrated, empty ``target``."""
    uri = readonly_uri(source)
    async with aiosqlite.connect(uri, uri=True, isolation_level=None) as conn:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("BEGIN")  # one snapshot for the whole copy
        try:
            return await _copy(conn, target, progress)
        finally:
            await conn.execute("COMMIT")


async def _copy(
    conn: aiosqlite.Connection, target: Backend, progress: Callable[[str, int], None] | None
) -> CopyReport:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    wanted = await target.schema_version()
    if version != wanted:
        raise CopyError(
            f"the source is at schema {version} and the target at {wanted}: run "
            "`python -m bot migrate` on both with this version of WargaLapor first"
        )
    tables = [name for name in await target.table_names() if name not in DERIVED]
    for name in tables:
        found = await target.fetchone(f"SELECT 1 FROM {name} LIMIT 1")
        if found is not None:
            raise CopyError(f"the target already holds data (table {name}): copy into an empty one")
    ordered = await _parents_first(target, tables)
    report = CopyReport()
    async with target.transaction() as out:
        for table, trigger, _, _ in COUNTED:
            await out.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        for table in ordered:
            columns = await _columns(target, table)
            count = 0
            async for batch in _batches(conn, table, columns):
                await out.executemany(_insert(table, columns), batch)
                count += len(batch)
            report.rows[table] = count
            if table == "reports":
                await _relink_duplicates(conn, out)
            if progress is not None:
                progress(table, count)
        for table, trigger, counts, keys in COUNTED:
            await out.execute(
                f"INSERT INTO {counts} ({keys}, n) SELECT {keys}, COUNT(*) FROM {table}"
                f" GROUP BY {keys} ON CONFLICT ({keys}) DO UPDATE SET n = excluded.n"
            )
            await out.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        await _advance_sequences(out, target, ordered)
    return report


async def _parents_first(target: Backend, tables: list[str]) -> list[str]:
    """``tables`` with every table after the tables its foreign keys point at (PostgreSQL's
    catalog says which), so each row finds its parent; a table's link to itself
    (reports.duplicate_of) is written afterwards instead."""
    rows = await target.fetchall(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
    )
    parents: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in ((row[0], row[1]) for row in rows):
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(table for table, needs in parents.items() if not needs - set(ordered))
        if not ready:
            raise CopyError(f"foreign keys form a cycle among {sorted(parents)}")
        for table in ready:
            ordered.append(table)
            del parents[table]
    return ordered


async def _columns(target: Backend, table: str) -> list[str]:
    rows = await target.fetchall(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [row[0] for row in rows]


async def _batches(
    conn: aiosqlite.Connection, table: str, columns: list[str]
) -> AsyncIterator[list[tuple[object, ...]]]:
    # reports.duplicate_of may point at a later report, so the link is written once every
    # report exists (_relink_duplicates).
    names = ", ".join(
        "NULL AS duplicate_of" if (table, c) == ("reports", "duplicate_of") else c for c in columns
    )
    async with conn.execute(f"SELECT {names} FROM {table}") as cursor:
        while True:
            rows = await cursor.fetchmany(BATCH)
            if not rows:
                return
            yield [tuple(row) for row in rows]


def _insert(table: str, columns: list[str]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


async def _relink_duplicates(conn: aiosqlite.Connection, out: Connection) -> None:
    async with conn.execute(
        "SELECT duplicate_of, id FROM reports WHERE duplicate_of IS NOT NULL"
    ) as cursor:
        links = [tuple(row) for row in await cursor.fetchall()]
    await out.executemany("UPDATE reports SET duplicate_of = ? WHERE id = ?", links)


async def _advance_sequences(out: Connection, target: Backend, tables: list[str]) -> None:
    """Each identity column's next value past the highest copied one (PostgreSQL does not move
    it for rows inserted with their own ids)."""
    rows = await target.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for table, column in ((row[0], row[1]) for row in rows):
        if table not in tables:
            continue
        await out.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), MAX({column}))"
            f" FROM {table} HAVING MAX({column}) IS NOT NULL"
        )
