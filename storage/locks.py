"""Two processes on one database: which one may run the bot, and which one migrates.

Why: an overlapping systemd restart, a second terminal, or ``python -m bot migrate`` during a
start all open the same database at the same moment. Without a lock each of them read
``user_version`` 0 and created the same tables (``table citizens already exists``), and two bots
long-polled one token and took each other's updates.

Both locks are per backend; this module is SQLite's (the only backend today):

* :func:`migration_lock` is one ``BEGIN IMMEDIATE`` write transaction around the whole
  migration: the second process waits in it and then, re-reading ``user_version`` inside, finds
  nothing left to do.
* :func:`instance_lock` is an ``flock`` on ``<database>.lock`` held for the bot process's life:
  SQLite is one process's database by design, so a second bot refuses to start and names the
  first (:class:`AlreadyRunning`). The kernel drops the lock when its holder dies, so a crash
  never leaves a stale lock behind. The CLI commands take no instance lock: they run beside the
  bot, each write in its own short transaction.

A PostgreSQL backend supplies the same two: the migration lock as ``pg_advisory_xact_lock``
taken first in the migration's transaction, and no instance lock, since several bot processes
share a PostgreSQL database.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiosqlite

from storage.files import DIR_MODE, FILE_MODE

#: How long a process waits for another's migration to finish before giving up. Longer than the
#: everyday busy timeout: a migration over a large database can take a while, and waiting it out
#: is the whole point.
MIGRATION_WAIT_MS = 120_000
#: How long to wait for a just-started holder to write its pid into the lock file.
PID_WAIT_SECONDS = 2.0


class AlreadyRunning(Exception):
    """Another process holds the database's instance lock; ``pid`` is None if it did not say."""

    def __init__(self, database: Path, pid: int | None) -> None:
        self.database = database
        self.pid = pid
        super().__init__(f"{database} is in use by pid {pid}")


def lock_path(database: Path) -> Path:
    """``<database>.lock``, beside the database (its folder is the bot user's alone)."""
    return database.with_name(database.name + ".lock")


@contextmanager
def instance_lock(database: Path) -> Iterator[None]:
    """Hold the database for this process until the block ends; raise :class:`AlreadyRunning`
    at once if another process holds it.

    The file is never deleted: unlinking it while a starting process has it open would let that
    process lock a file nobody else can find, and two bots would run.
    """
    database.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    path = lock_path(database)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(database, _holder(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # a pid left behind would name a process that is gone
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> int | None:
    """The pid the holder wrote; it writes it right after locking, so wait a moment for it."""
    deadline = time.monotonic() + PID_WAIT_SECONDS
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


@asynccontextmanager
async def migration_lock(conn: aiosqlite.Connection) -> AsyncIterator[None]:
    """One write transaction around the block: committed if it ends normally, rolled back on
    any exception, so a migration and its ``user_version`` land together or not at all.

    ``BEGIN IMMEDIATE`` takes SQLite's write lock up front, so a second process waits here (up
    to :data:`MIGRATION_WAIT_MS`) instead of both reading the same old version.
    """
    async with conn.execute("PRAGMA busy_timeout") as cursor:
        row = await cursor.fetchone()
    everyday = int(row[0]) if row else 0
    await conn.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
    try:
        await conn.execute("BEGIN IMMEDIATE")
    finally:
        await conn.execute(f"PRAGMA busy_timeout={everyday}")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # some errors (a full disk) end the transaction themselves
            await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")
