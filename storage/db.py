"""One SQLite database in WAL mode: a locked writer connection and a separate reader.

Why two connections: a single aiosqlite connection shared by many coroutines lets a read see the
half-done writes of another coroutine's open transaction. Writes go through :meth:`transaction`
(one at a time, ``BEGIN IMMEDIATE``), reads through the reader, which in WAL mode only ever sees
committed data and never waits for the writer.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.backend import Backend, Connection, Cursor, CursorResult, Dialect, Params
from storage.files import DIR_MODE, private_file, tighten_sqlite_files
from storage.locks import migration_lock
from storage.sqltext import iso, placeholders, sql_statements, sqlite_migrations, utc_now

__all__ = ["Database", "iso", "migrations", "placeholders", "sql_statements", "utc_now"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


def migrations() -> list[tuple[int, str, str]]:
    """SQLite's bundled migrations as (version, name, sql), in order."""
    return sqlite_migrations()


async def _switch_to_wal(conn: aiosqlite.Connection) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the lock it needs.

    SQLite does not call the busy handler for this pragma when waiting could deadlock (two
    connections each holding a shared lock, each wanting the exclusive one), so a process
    starting beside another that is converting a new file gets "database is locked" at once,
    whatever the busy timeout; the retry gives it the same patience as any other statement.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
        await asyncio.sleep(random.uniform(0.005, 0.05))


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = aiosqlite.Row
    # First: switching a new database to WAL takes a lock another process starting at the same
    # moment may hold, and without a busy timeout the wait would be an error instead.
    await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    await _switch_to_wal(conn)
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute("PRAGMA synchronous=NORMAL")


class SqliteDialect(Dialect):
    name = "sqlite"

    def seconds_between(self, later: str, earlier: str) -> str:
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"

    def scan_hint(self) -> str:
        return "NOT INDEXED"

    def index_hint(self, index: str) -> str:
        return f"INDEXED BY {index}"

    def reports_in_box(
        self, min_lat: float, max_lat: float, min_lon: float, max_lon: float
    ) -> tuple[str, tuple[float, ...]]:
        # CROSS JOIN makes SQLite start from the R*Tree: with a plain JOIN it preferred the
        # (status, ...) indexes and read every open report in the city, on every location step.
        return (
            "FROM reports_geo g CROSS JOIN reports r ON r.id = g.id"
            " WHERE g.min_lat >= ? AND g.max_lat <= ? AND g.min_lon >= ? AND g.max_lon <= ?",
            (min_lat, max_lat, min_lon, max_lon),
        )


class SqliteConnection(Connection):
    """aiosqlite's connection behind the shared interface (a thin pass-through)."""

    __slots__ = ("raw",)

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Params = ()) -> CursorResult:
        return CursorResult(self._execute(sql, params))

    async def _execute(self, sql: str, params: Params) -> Cursor:
        return await self.raw.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self.raw.executemany(sql, rows)


class Database(Backend):
    """The project's SQLite file; open it once per process and share it."""

    dialect: Dialect = SqliteDialect()
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        # One read at a time on the reader, from execute to close: while a statement of one
        # coroutine is open, SQLite keeps the connection's read snapshot, and another coroutine's
        # read would not see what was committed since (a row just written read back as missing).
        self._read_lock = asyncio.Lock()

    async def open(self, *, migrate: bool = True) -> None:
        """Open (creating it owner-only, see storage/files.py) and migrate."""
        self.path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        private_file(self.path)
        self._writer = await aiosqlite.connect(self.path, isolation_level=None)
        await _configure(self._writer)
        tighten_sqlite_files(self.path)  # WAL mode has created -wal and -shm by now
        if migrate:
            await self.migrate()
        self._reader = await aiosqlite.connect(self.path, isolation_level=None)
        await _configure(self._reader)

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @property
    def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise RuntimeError("database is not open")
        return self._writer

    @property
    def reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("database is not open")
        return self._reader

    async def schema_version(self) -> int:
        async with self.writer.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> list[str]:
        """Apply every bundled migration newer than ``PRAGMA user_version``; return their names.

        All of them and the version bump commit together under the migration lock
        (:mod:`storage.locks`), the version read inside it: a crash leaves the old schema or the
        new one, never half, and a process migrating at the same time waits and then finds
        nothing to do (its list is empty).
        """
        applied = []
        async with self._write_lock, migration_lock(self.writer):
            current = await self.schema_version()
            for version, name, sql in migrations():
                if version <= current:
                    continue
                for statement in sql_statements(sql):
                    await self.writer.execute(statement)
                await self.writer.execute(f"PRAGMA user_version = {version}")
                applied.append(name)
        for name in applied:
            log.info("migration applied", extra={"migration": name})
        return applied

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True) -> AsyncIterator[Connection]:
        """Run writes atomically: commit on success, roll back on any exception. Always
        exclusive: SQLite has one writer."""
        async with self._write_lock:
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteConnection(self.writer)
            except BaseException:
                await self.writer.execute("ROLLBACK")
                raise
            else:
                await self.writer.execute("COMMIT")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        """A read-only connection of its own in one read transaction: every figure of a summary
        agrees, and the shared reader stays free for the bot meanwhile."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        async with aiosqlite.connect(uri, uri=True, isolation_level=None) as conn:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            await conn.execute("BEGIN")
            try:
                yield SqliteConnection(conn)
            finally:
                await conn.execute("COMMIT")

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        async with self._read_lock, self.reader.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        async with self._read_lock, self.reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    @property
    def label(self) -> str:
        return str(self.path)

    def latest_version(self) -> int:
        return migrations()[-1][0]

    async def table_names(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'reports_geo%' ORDER BY name"
        )
        return [row[0] for row in rows]
