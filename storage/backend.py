"""What every repository may ask of the database, whichever engine holds it.

Why one small interface: the repositories are written once, in the SQL both engines speak
(``?`` and ``:name`` placeholders, ``ON CONFLICT`` upserts, ``RETURNING``), against
:class:`Backend` and :class:`Connection`. SQLite (:mod:`storage.db`) is the embedded default;
PostgreSQL (:mod:`storage.postgres`) is for operators who run several processes. The few
expressions the two spell differently (time arithmetic, the spatial box query, planner hints)
are :class:`Dialect` methods, so a repository never asks which engine it is on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Generator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from storage.wakeups import Wakeups

#: Parameters of one statement: positional for ``?``, a mapping for ``:name``.
Params = Sequence[Any] | Mapping[str, Any]


class Row(Protocol):
    """A result row, read by column name or position (``sqlite3.Row`` and our PostgreSQL row)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """The result of one statement: its rows (``RETURNING`` included) and how many it changed."""

    @property
    def rowcount(self) -> int: ...

    async def fetchone(self) -> Any: ...

    async def fetchall(self) -> Iterable[Any]: ...


class CursorResult:
    """``await conn.execute(…)`` and ``async with conn.execute(…) as cursor`` both work, as with
    aiosqlite, so a statement reads the same on either engine."""

    __slots__ = ("_coro", "_cursor")

    def __init__(self, coro: Coroutine[Any, Any, Cursor]) -> None:
        self._coro = coro
        self._cursor: Cursor | None = None

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._coro.__await__()

    async def __aenter__(self) -> Cursor:
        self._cursor = await self._coro
        return self._cursor

    async def __aexit__(self, *exc: object) -> None:
        close = getattr(self._cursor, "close", None)
        if close is not None:
            await close()


class Connection(ABC):
    """One connection inside a transaction (or a snapshot): the statements a repository runs."""

    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> CursorResult: ...

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...


class Dialect(ABC):
    """The expressions SQLite and PostgreSQL spell differently; each returns SQL text."""

    name: str

    @abstractmethod
    def seconds_between(self, later: str, earlier: str) -> str:
        """Seconds from ``earlier`` to ``later`` (two ISO-8601 text expressions) as a number."""

    @abstractmethod
    def scan_hint(self) -> str:
        """A hint to read ``reports r`` straight through (SQLite's ``NOT INDEXED``), or ""."""

    @abstractmethod
    def index_hint(self, index: str) -> str:
        """Read the table through ``index`` (SQLite's ``INDEXED BY``), or "" where the planner
        needs no telling."""

    @abstractmethod
    def reports_in_box(
        self, min_lat: float, max_lat: float, min_lon: float, max_lon: float
    ) -> tuple[str, tuple[float, ...]]:
        """``FROM … WHERE`` start of a query over ``reports r`` whose point lies in the box, with
        its parameters, served by the engine's spatial index."""

    def skip_locked(self) -> str:
        """The end of a claim's ``SELECT``: lock the rows taken, passing over rows another
        transaction has locked (PostgreSQL). SQLite has one writer, so nothing to say."""
        return ""


class Backend(ABC):
    """An open database: writes in transactions, reads outside them, and its schema."""

    dialect: Dialect
    #: What a broken UNIQUE or foreign-key constraint raises on this engine.
    integrity_errors: tuple[type[Exception], ...]

    @property
    @abstractmethod
    def label(self) -> str:
        """Where the data is, for people: a path, or a URL without its password."""

    @abstractmethod
    async def open(self, *, migrate: bool = True) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    #: True where several bot processes may share the database (PostgreSQL): each then claims
    #: its work in the database (bot/telegram/inbox_feeder.py, storage/workers.py) instead of
    #: owning all of it.
    shared_by_processes: bool = False

    @abstractmethod
    def transaction(self, *, exclusive: bool = True) -> AbstractAsyncContextManager[Connection]:
        """Writes atomically: commit on success, roll back on any exception.

        Exclusive (the default): one such transaction at a time on the whole database, as
        SQLite always is. The repositories' read-then-write steps were written for that, so
        several processes on PostgreSQL keep it (an advisory lock) rather than each
        repository learning to retry. ``exclusive=False`` is for statements that are safe
        side by side on their own (claims with ``SKIP LOCKED``, heartbeats), so they never
        queue behind the writers."""

    def wakeups(self, channels: dict[str, Callable[[], None]]) -> Wakeups | None:
        """Something that calls ``channels[name]()`` when another process writes work on
        ``name`` (PostgreSQL's LISTEN/NOTIFY, storage/wakeups.py); None with one process."""
        return None

    @abstractmethod
    def snapshot(self) -> AbstractAsyncContextManager[Connection]:
        """Several reads that must agree (the statistics): one read-only consistent view."""

    @abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Any: ...

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    def latest_version(self) -> int:
        """The schema version the bundled migrations reach on this engine."""

    @abstractmethod
    async def migrate(self) -> list[str]:
        """Apply every bundled migration newer than the schema; return their names."""

    @abstractmethod
    async def table_names(self) -> list[str]:
        """The project's tables (not the engine's own), for copy-db and checks."""


async def returned_id(cursor: Cursor) -> int:
    """The id an ``INSERT … RETURNING id`` gave the new row (both engines' way to learn it)."""
    row = await cursor.fetchone()
    if row is None:
        raise RuntimeError("INSERT … RETURNING id returned no row")
    return int(row[0])
