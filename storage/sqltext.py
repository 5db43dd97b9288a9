"""SQL text and values both engines share: how times are stored and how lists are bound.

Times are UTC ISO-8601 text on either engine, so they sort and compare as strings and a row
copied from SQLite to PostgreSQL (``python -m bot copy-db``) means the same moment.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sized
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable

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


def migrations_in(folder: Traversable) -> list[tuple[int, str, str]]:
    """The migrations in ``folder`` as (version, name, sql), in order."""
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def sqlite_migrations() -> list[tuple[int, str, str]]:
    return migrations_in(resources.files("storage.migrations"))


def postgres_migrations() -> list[tuple[int, str, str]]:
    return migrations_in(resources.files("storage.migrations").joinpath("postgresql"))


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
