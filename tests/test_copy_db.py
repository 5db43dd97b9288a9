"""``python -m bot copy-db``: a city's SQLite database, filled by the real bot, moved into
PostgreSQL, compared table by table; and the bot then runs on the copy."""

from __future__ import annotations

import math
import os
import sqlite3

import psycopg
import pytest

from bot.playground.botapi import Sandbox
from tests import pg_cluster
from tests.conftest import RunningBot, make_settings
from tests.helpers import file_report, run_cli
from tests.test_groups import GAMBIR, linked_group, next_alert_parts

pytestmark = pytest.mark.sqlite_only  # the source is the SQLite file; the target is made here


#: Kept by PostgreSQL's own triggers, not copied (storage/copy.py): compared as counts instead.
DERIVED = {"report_counts", "outbox_counts"}


@pytest.fixture
def target_url():
    server = os.environ.get(pg_cluster.ENV_URL)
    if not server:
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql)")
    name = "copy_" + os.urandom(6).hex()
    pg_cluster.admin_command(server, f"CREATE DATABASE {name}")  # empty: copy-db migrates it
    yield pg_cluster.database_url(server, name)
    pg_cluster.drop_database(server, name)


async def _populate(sandbox: Sandbox, bot: RunningBot, admin):
    """A little of everything a city's database holds, made through the bot."""
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = sandbox.citizen(first_name="Bu RT", started=True)
    group.add_member(officer)
    await store.officers.add(officer.user_id, GAMBIR, admin.user_id)
    warga = sandbox.citizen(first_name="Siti", started=True)
    first = await file_report(warga)
    card, _ = await next_alert_parts(group)
    await group.tap(officer, "Terima", message=card)
    await warga.next_message()
    second = await file_report(sandbox.citizen(first_name="Budi", started=True), category="Sampah")
    await next_alert_parts(group)
    result = await run_cli(
        bot, "case", "update", str(second), "--status", "rejected", "--note", "Bukan wilayah kami"
    )
    assert result.returncode == 0, result.stderr
    return warga, first


def _rows(conn, table: str, columns: list[str]) -> list[tuple]:
    names = ", ".join(columns)
    return sorted(
        (
            tuple(_plain(value) for value in row)
            for row in conn.execute(f"SELECT {names} FROM {table}")
        ),
        key=repr,
    )


def _plain(value):
    if isinstance(value, float):
        return round(value, 9) if math.isfinite(value) else value
    return value


async def test_copy_db_moves_every_table_and_the_bot_runs_on_the_copy(
    sandbox, make_bot, admin, target_url, tmp_path
):
    bot = await make_bot()
    siti, first = await _populate(sandbox, bot, admin)
    source = bot.settings.database_path
    await bot.stop()

    result = await run_cli(source, "copy-db", "--from", f"sqlite:{source}", "--to", target_url)
    assert result.returncode == 0, result.stderr
    assert "reports: 2 rows" in result.stdout
    assert "copied" in result.stdout and "***" not in result.stderr

    lite = sqlite3.connect(source)
    tables = [
        name
        for (name,) in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'reports_geo%'"
        )
    ]
    with psycopg.connect(target_url) as pg:
        pg_tables = {
            name
            for (name,) in pg.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename <> 'schema_migrations'"
            )
        }
        assert set(tables) == pg_tables
        filled = 0
        for table in tables:
            columns = [
                name
                for (name,) in pg.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                    " AND table_schema = current_schema() ORDER BY ordinal_position",
                    (table,),
                )
            ]
            theirs = _rows(pg, table, columns)
            ours = _rows(lite, table, columns)
            if table in DERIVED:  # a zero row SQLite keeps is a missing row on PostgreSQL
                ours = [row for row in ours if row[-1] != 0]
                theirs = [row for row in theirs if row[-1] != 0]
            assert theirs == ours, table
            filled += bool(ours)
        assert filled >= 12  # most tables held something: the comparison compared rows
        # The next report continues the numbering instead of colliding with a copied one.
        next_id = pg.execute("SELECT nextval(pg_get_serial_sequence('reports', 'id'))").fetchone()
        assert next_id[0] > first + 1

    # The bot on PostgreSQL finds the copied report and the citizen's /status shows it.
    moved = RunningBot(
        make_settings(
            sandbox,
            tmp_path / "pg" / "unused.sqlite3",
            database_url=target_url,
            ADMIN_USER_IDS=str(admin.user_id),
        )
    )
    await moved.start()
    try:
        await siti.send(f"/status {first}")
        answer = await siti.next_message()
        assert f"#{first}" in answer.plain_text
        third = await file_report(siti, category="Jalan rusak")
        assert third > first
    finally:
        await moved.stop()


async def test_copy_db_refuses_a_target_that_holds_data(sandbox, make_bot, admin, target_url):
    bot = await make_bot()
    warga = sandbox.citizen(first_name="Siti", started=True)
    await file_report(warga)
    source = bot.settings.database_path
    await bot.stop()
    first = await run_cli(source, "copy-db", "--from", f"sqlite:{source}", "--to", target_url)
    assert first.returncode == 0, first.stderr
    again = await run_cli(source, "copy-db", "--from", f"sqlite:{source}", "--to", target_url)
    assert again.returncode == 2
    assert "already holds data" in again.stderr
    assert "Traceback" not in again.stderr


async def test_copy_db_explains_bad_arguments(tmp_path):
    missing = tmp_path / "nothing.sqlite3"
    result = await run_cli(
        missing, "copy-db", "--from", f"sqlite:{missing}", "--to", "postgresql://nobody@/none"
    )
    assert result.returncode == 2 and "does not exist" in result.stderr
    result = await run_cli(missing, "copy-db", "--from", "postgresql://a@/b", "--to", "x.sqlite3")
    assert result.returncode == 2 and "SQLite file" in result.stderr
