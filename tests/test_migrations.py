"""Migrations run statement by statement inside one transaction (storage/db.py, storage/locks.py):
the same schema as SQLite's own script runner builds, and nothing at all when one of them fails."""

from __future__ import annotations

import sqlite3

import pytest

from storage.db import Database, migrations, sql_statements


def schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()


async def test_statement_by_statement_builds_what_executescript_builds(tmp_path):
    db = Database(tmp_path / "split.sqlite3")
    await db.open()
    await db.close()
    with sqlite3.connect(":memory:") as reference:
        for _, _, sql in migrations():
            reference.executescript(sql)
        expected = schema(reference)
    with sqlite3.connect(tmp_path / "split.sqlite3") as split:
        built = schema(split)
    assert built == expected
    assert any(kind == "trigger" for kind, _, _ in built)  # BEGIN … END bodies came through whole


def test_a_semicolon_ends_a_statement_only_where_sqlite_says_so():
    script = (
        "-- header; not a statement\n"
        "INSERT INTO t VALUES ('a;b');\n"
        "CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = 1; UPDATE t SET b = 2; END;\n"
        "/* c; d */ SELECT 1;;\n"
        "SELECT 2"
    )
    assert sql_statements(script) == [
        "-- header; not a statement\nINSERT INTO t VALUES ('a;b');",
        "CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = 1; UPDATE t SET b = 2; END;",
        "/* c; d */ SELECT 1;",
        "SELECT 2",
    ]


async def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path):
    """A table in the way of migration 0003: nothing of 0001 and 0002 stays either, and the next
    run (the table moved away) starts from the same clean version."""
    path = tmp_path / "w.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE geocode_cache (x)")
    db = Database(path)
    with pytest.raises(sqlite3.OperationalError, match="geocode_cache already exists"):
        await db.open()
    await db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert [name for _, name, _ in schema(conn)] == ["geocode_cache"]
        conn.execute("DROP TABLE geocode_cache")
    await db.open()
    assert await db.schema_version() == migrations()[-1][0]
    await db.close()
