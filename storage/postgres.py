"""PostgreSQL behind the same repositories, for operators who run several processes.

Chosen: psycopg 3 with its connection pool (psycopg_pool), both maintained by the PostgreSQL
driver's own project. Statements are bound on the client (``AsyncClientCursor``): the
repositories' SQL is written for SQLite's loose typing (a ``?`` compared with a TEXT column, a
``? IS NULL`` test, a Python bool in a ``CASE WHEN ?``), and a literal in the statement lets
PostgreSQL infer each value's type where a server-side parameter would be refused ("could not
determine data type of parameter $1"). psycopg quotes each value itself (libpq's escaping), so
this is not string pasting.

The SQL text is the SQLite dialect's placeholders (``?`` and ``:name``), rewritten once per
statement text into psycopg's (``%s``, ``%(name)s``) by :func:`translate`, which leaves string
literals, quoted names, comments and ``::`` casts alone.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.rows import RowMaker
from psycopg.types.string import StrDumperUnknown
from psycopg_pool import AsyncConnectionPool

from storage.backend import Backend, Connection, Cursor, CursorResult, Dialect, Params
from storage.sqltext import postgres_migrations
from storage.wakeups import Wakeups

log = logging.getLogger(__name__)

#: One constant key for ``pg_advisory_xact_lock``: every process migrating one database waits
#: for the first; any 64-bit number works as long as it is always the same.
MIGRATION_LOCK_KEY = 0x5761726761  # "Warga"
#: The lock every exclusive transaction takes, in every process on the database.
WRITE_LOCK_KEY = 0x5761726763
_TAKE_WRITE_LOCK = f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"
POOL_SIZE = 10

_TOKEN = re.compile(
    r"""('(?:[^']|'')*')"""  # a string literal
    r"""|("(?:[^"]|"")*")"""  # a quoted name
    r"|(--[^\n]*)"  # a comment
    r"|(::)"  # a cast, not a named placeholder
    r"|(\?)"  # a positional placeholder
    r"|:([A-Za-z_][A-Za-z0-9_]*)"  # a named placeholder
    r"|(%)"  # a literal percent sign, doubled for psycopg
)


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """``sql`` with SQLite's placeholders as psycopg's; cached, as the repositories' statements
    are a fixed set of texts."""

    def replace(match: re.Match[str]) -> str:
        if match.group(5):
            return "%s"
        if match.group(6):
            return f"%({match.group(6)})s"
        # psycopg reads every ``%`` as its own, inside a string literal too.
        return match.group(0).replace("%", "%%")

    return _TOKEN.sub(replace, sql)


class PgRow(tuple[Any, ...]):
    """A row read by position or by column name, like ``sqlite3.Row``."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> PgRow:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: Any) -> RowMaker[PgRow]:
    names: dict[str, int] = {}
    for index, column in enumerate(cursor.description or ()):
        names.setdefault(column.name, index)

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(values, names)

    return make


class _NumericLoader(Loader):
    """``numeric`` as a Python int when whole, else a float: SQLite gives SUM and AVG as numbers
    the code formats and compares, never as Decimal."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class PgCursor:
    """A statement's rows, read in full when it ran (the repositories' results are bounded)."""

    __slots__ = ("_next", "_rows", "rowcount")

    def __init__(self, rows: list[PgRow], rowcount: int) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount

    async def fetchone(self) -> PgRow | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[PgRow]:
        rows, self._next = self._rows[self._next :], len(self._rows)
        return rows


def _bind(sql: str, params: Params) -> tuple[str, Params | None]:
    """No parameters: the text as written (a ``%`` in it is not psycopg's business)."""
    if not params:
        return sql, None
    return translate(sql), params


class PgConnection(Connection):
    __slots__ = ("raw",)

    def __init__(self, raw: AsyncConnection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Params = ()) -> CursorResult:
        return CursorResult(self._execute(sql, params))

    async def _execute(self, sql: str, params: Params) -> Cursor:
        query, bound = _bind(sql, params)
        async with AsyncClientCursor(self.raw, row_factory=_row_factory) as cursor:
            await cursor.execute(query, bound)
            rows = await cursor.fetchall() if cursor.description else []
            return PgCursor(rows, cursor.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = list(rows)
        if not batch:
            return
        async with AsyncClientCursor(self.raw) as cursor:
            await cursor.executemany(translate(sql), batch)


class PostgresDialect(Dialect):
    name = "postgresql"

    def seconds_between(self, later: str, earlier: str) -> str:
        return (
            f"EXTRACT(EPOCH FROM (CAST({later} AS timestamptz) - CAST({earlier} AS timestamptz)))"
        )

    def scan_hint(self) -> str:
        return ""

    def skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED"

    def index_hint(self, index: str) -> str:
        return ""

    def reports_in_box(
        self, min_lat: float, max_lat: float, min_lon: float, max_lon: float
    ) -> tuple[str, tuple[float, ...]]:
        # The GiST index on point(lon, lat) (migration 0016) answers "inside this box". OFFSET 0
        # keeps the box query a step of its own, as SQLite's CROSS JOIN does: otherwise the
        # planner ANDs the box with the (status, ...) index's bitmap of every open report in the
        # city, which at 1,000,000 reports read 150,000 index entries per query (10 ms, not 1).
        return (
            "FROM (SELECT q.* FROM reports q"
            " WHERE point(q.lon, q.lat) <@ box(point(?, ?), point(?, ?)) OFFSET 0) r WHERE TRUE",
            (min_lon, min_lat, max_lon, max_lat),
        )


def redacted(url: str) -> str:
    """``url`` without its password, for logs and the CLI's messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


class _TextDumper(StrDumperUnknown):
    """Text with a NUL character in it (an HTTP client's, pasted from a binary) is kept with
    U+FFFD in the NUL's place: PostgreSQL's text cannot hold NUL, and refusing the whole report
    or note over one invisible character would lose what the person wrote."""

    def dump(self, obj: str) -> Buffer | None:
        return super().dump(obj.replace("\x00", "\ufffd"))


async def _configure(conn: AsyncConnection[Any]) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)
    conn.adapters.register_dumper(str, _TextDumper)


class PostgresDatabase(Backend):
    """A PostgreSQL database reached through a pool; open it once per process and share it."""

    dialect: Dialect = PostgresDialect()
    integrity_errors = (psycopg.IntegrityError,)
    shared_by_processes = True

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self._pool_size = pool_size
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] | None = None
        # One exclusive transaction at a time in this process; across processes, the advisory
        # lock (see transaction()).
        self._write_lock = asyncio.Lock()

    @property
    def label(self) -> str:
        return redacted(self.url)

    def wakeups(self, channels: dict[str, Callable[[], None]]) -> Wakeups | None:
        return Wakeups(self.url, channels)

    def latest_version(self) -> int:
        return postgres_migrations()[-1][0]

    @property
    def pool(self) -> AsyncConnectionPool[AsyncConnection[Any]]:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    async def open(self, *, migrate: bool = True) -> None:
        self._pool = AsyncConnectionPool(
            self.url,
            min_size=1,
            max_size=self._pool_size,
            kwargs={"autocommit": True},
            configure=_configure,
            open=False,
        )
        try:
            await self._pool.open(wait=True, timeout=10)
        except Exception:
            await self._pool.close()
            self._pool = None
            raise
        if migrate:
            await self.migrate()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        self._pool = None

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True) -> AsyncIterator[Connection]:
        """See :meth:`Backend.transaction`. Exclusive ones queue in this process first (so a
        burst holds one pooled connection, not ten waiting on the lock), then take the
        database-wide :data:`WRITE_LOCK_KEY`, released by the commit or the rollback."""
        if not exclusive:
            async with self.pool.connection() as conn, conn.transaction():
                yield PgConnection(conn)
            return
        async with self._write_lock, self.pool.connection() as conn, conn.transaction():
            await conn.execute(_TAKE_WRITE_LOCK)
            yield PgConnection(conn)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Connection]:
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield PgConnection(conn)

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        async with self.pool.connection() as conn:
            cursor = await PgConnection(conn).execute(sql, params)
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        async with self.pool.connection() as conn:
            cursor = await PgConnection(conn).execute(sql, params)
            return list(await cursor.fetchall())

    async def schema_version(self) -> int:
        async with self.pool.connection() as conn:
            return await _version(PgConnection(conn))

    async def migrate(self) -> list[str]:
        """Every bundled PostgreSQL migration newer than the schema, in one transaction under an
        advisory lock: a second process migrating at the same time waits, then finds nothing."""
        applied = []
        async with self.transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (now()::text))"
            )
            current = await _version(conn)
            for version, name, sql in postgres_migrations():
                if version <= current:
                    continue
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name)
                )
                applied.append(name)
        for name in applied:
            log.info("migration applied", extra={"migration": name})
        return applied

    async def table_names(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename <> 'schema_migrations' ORDER BY tablename"
        )
        return [row[0] for row in rows]


async def _version(conn: Connection) -> int:
    cursor = await conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
    exists = await cursor.fetchone()
    if not exists or not exists[0]:
        return 0
    cursor = await conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
