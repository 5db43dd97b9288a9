"""PostgreSQL's backup and restore as README gives them: ``pg_dump -Fc`` while the bot runs,
``pg_restore`` into an emptied database, and the bot on the restored data; and ``python -m bot
backup`` pointing a PostgreSQL operator at pg_dump instead of copying a SQLite file."""

from __future__ import annotations

import asyncio

import pytest

from tests import pg_cluster
from tests.conftest import RunningBot
from tests.helpers import file_report, run_cli

pytestmark = pytest.mark.timeout(300)


def _tool(name: str) -> str:
    binaries = pg_cluster._binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql)")
    return str(binaries / name)


async def _run(*command: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_pg_dump_while_running_and_pg_restore_bring_the_reports_back(
    sandbox, make_bot, engine, tmp_path
):
    bot = await make_bot()
    warga = sandbox.citizen(first_name="Siti", started=True)
    kept = await file_report(warga)
    # Settled first: an update still open in the inbox at the dump would be replayed by the
    # restored bot (harmlessly, "already sent"), and its answer would come before /status's.
    for _ in range(100):
        row = await bot.services.store.db.fetchone(
            "SELECT COUNT(*) FROM inbox WHERE done_at IS NULL"
        )
        if row[0] == 0:
            break
        await asyncio.sleep(0.1)
    dump = tmp_path / "wargalapor.dump"
    await _run(_tool("pg_dump"), "-Fc", "-f", str(dump), engine)  # beside the running bot
    lost = await file_report(sandbox.citizen(first_name="Budi", started=True), category="Sampah")
    await bot.stop()

    # README's restore: every process stopped, then into the emptied database.
    await _run(
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "-d",
        engine,
        str(dump),
    )
    restored = RunningBot(bot.settings)
    await restored.start()
    try:
        await warga.send(f"/status {kept}")
        assert f"#{kept}" in (await warga.next_message()).plain_text
        await warga.send(f"/status {lost}")
        answer = (await warga.next_message()).plain_text
        assert "tidak ditemukan" in answer and f"#{lost}" in answer, warga.transcript()
        # The numbering goes on from the restored reports.
        again = await file_report(warga, category="Jalan rusak")
        assert again == kept + 1
    finally:
        await restored.stop()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_backup_on_postgresql_names_pg_dump(sandbox, make_bot, engine, tmp_path):
    bot = await make_bot()
    result = await run_cli(bot, "backup", str(tmp_path / "copy.sqlite3"))
    assert result.returncode == 2
    assert "pg_dump -Fc -f" in result.stderr
    assert "postgresql://" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "copy.sqlite3").exists()
