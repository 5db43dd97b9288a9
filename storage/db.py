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
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Sequence, Sized
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.files import DIR_MODE, private_file, tighten_sqlite_files
from storage.locks import migration_lock

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def utc_now() -> str:
    """Times are stored as UTC ISO-8601 text so they sort and compare as strings."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    """A moment as stored: ISO-8601 text to the second (the caller's clock, already UTC)."""
    return moment.isoformat(timespec="seconds")


def placeholders(values: Sized) -> str:
    """``?, ?, ?``: one placeholder per value, for ``IN (…)`` over a set the caller passes."""
    return ", ".join("?" * len(values))


def migrations() -> list[tuple[int, str, str]]:
    """The bundled migrations as (version, name, sql), in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def sql_statements(script: str) -> list[str]:
    """``script``'s statements one at a time, to run them inside one transaction (``executescript``
    would commit the transaction first). A ``;`` ends a statement only where SQLite's own
    tokenizer says so (``sqlite3.complete_statement``): not inside a string, a comment or a
    trigger's ``BEGIN … END``."""
    statements = []
    pending = ""
    *pieces, rest = script.split(";")
    for piece in pieces:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                statements.append(pending.strip())
            pending = ""
    if (pending + rest).strip():
        statements.append((pending + rest).strip())
    return statements


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


class Database:
    """The project's SQLite file; open it once per process and share it."""

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
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run writes atomically: commit on success, roll back on any exception."""
        async with self._write_lock:
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                yield self.writer
            except BaseException:
                await self.writer.execute("ROLLBACK")
                raise
            else:
                await self.writer.execute("COMMIT")

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._read_lock, self.reader.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> Iterable[aiosqlite.Row]:
        async with self._read_lock, self.reader.execute(sql, params) as cursor:
            return await cursor.fetchall()
