"""``python -m bot backup PATH``: a copy taken while citizens report is whole, and it restores.

The bot under test is the real one, long-polling the sandbox, with citizens filing reports while
the copy is taken; the copy is then opened as SQLite opens it (integrity, foreign keys, schema
version, which reports it holds), and restored the way README tells an operator to: stop the bot,
put the copy at ``DATABASE_PATH``, start it, and the citizen's ``/status`` shows the report.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from storage.backup import backup_database
from storage.db import migrations
from tests.helpers import DESCRIPTION, file_in_five, run_cli

pytestmark = pytest.mark.sqlite_only  # the backup command copies the SQLite file

LATEST = migrations()[-1][0]
#: Points about 330 m apart across Jakarta Pusat, so no report is offered as a nearby duplicate of
#: another (the bot asks within 250 m).
#: Seconds from a report's commit to its confirmation reaching the citizen, at most (the
#: per-chat limit is one message a second).
LATENCY = 2.0
PLACES = [
    (-6.150 - row * 0.003, 106.805 + column * 0.003) for row in range(15) for column in range(15)
]


def reports_in(database: Path) -> set[int]:
    with sqlite3.connect(database) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM reports")}


def assert_sound(copy: Path) -> None:
    """What SQLite itself says of the copy, opened as the bot would open it."""
    with sqlite3.connect(copy) as conn:
        assert [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert not [p for p in copy.parent.iterdir() if p.name.endswith((".partial", "-wal"))]


class Reporting:
    """Citizens filing reports one after another until told to stop; each new report is a new
    citizen (so the hourly limit never answers instead), and each reference is noted with when
    the bot confirmed it."""

    def __init__(self, sandbox, citizens: int) -> None:
        self.sandbox = sandbox
        self._places = iter(PLACES)
        self.confirmed: list[tuple[float, int]] = []
        self._stop = asyncio.Event()
        self._changed = asyncio.Condition()
        self._tasks = [asyncio.ensure_future(self._keep_reporting(n)) for n in range(citizens)]

    async def _keep_reporting(self, n: int) -> None:
        while not self._stop.is_set():
            warga = self.sandbox.citizen(first_name=f"Warga {n}")
            where = next(self._places)
            _, ref = await file_in_five(warga, where=where, description=f"{DESCRIPTION} ({n})")
            async with self._changed:
                self.confirmed.append((time.monotonic(), ref))
                self._changed.notify_all()

    async def until(self, reports: int) -> None:
        async with asyncio.timeout(120), self._changed:
            await self._changed.wait_for(lambda: len(self.confirmed) >= reports)

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def before(self, moment: float) -> set[int]:
        return {ref for at, ref in self.confirmed if at < moment}


async def test_the_backup_command_beside_a_reporting_bot_copies_every_confirmed_report(
    sandbox, bot, tmp_path
):
    reporting = Reporting(sandbox, citizens=3)
    try:
        await reporting.until(3)
        started = time.monotonic()
        target = tmp_path / "backups" / "wargalapor-1.sqlite3"
        target.parent.mkdir()
        result = await run_cli(bot, "backup", str(target))
        confirmed_before = reporting.before(started)
        await reporting.until(len(reporting.confirmed) + 1)  # the bot still serves
    finally:
        await reporting.stop()

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    copied = reports_in(target)
    shown = re.fullmatch(
        rf"backup written: {re.escape(str(target))} \((\d+) KB, schema version {LATEST}, "
        r"(\d+) reports, integrity ok\)\n",
        result.stdout,
    )
    assert shown, result.stdout
    assert int(shown[1]) == round(target.stat().st_size / 1024)
    assert int(shown[2]) == len(copied)
    assert len(confirmed_before) >= 3 and confirmed_before <= copied
    assert_sound(target)
    assert reports_in(bot.settings.database_path) > copied  # the live one went on


async def test_a_paced_backup_is_one_moment_of_a_database_written_all_along(sandbox, bot, tmp_path):
    """One page per step, a pause between steps, citizens reporting throughout: SQLite would
    restart a backup whenever the database changes between steps, but the copy is of the moment
    it began, with all of every report filed by then and none of those after."""
    database = bot.settings.database_path
    reporting = Reporting(sandbox, citizens=3)
    try:
        await reporting.until(2)
        started = time.monotonic()
        target = tmp_path / "paced.sqlite3"
        result = await asyncio.wait_for(
            asyncio.to_thread(backup_database, database, target, pages=1, pause=0.1), timeout=120
        )
        ended = time.monotonic()
        confirmed_before = reporting.before(started)
        # Confirmed a good while after the copy began: stored after it, too.
        later = {ref for at, ref in reporting.confirmed if started + LATENCY < at < ended}
    finally:
        await reporting.stop()

    copied = reports_in(target)
    assert result.steps >= 50, "the copy was not made in steps"
    assert ended - started >= 5
    assert later, "no report was filed while the copy was being made"
    assert confirmed_before <= copied
    assert not later & copied
    # One moment: every report stored before it (ids follow the order of the commits), none after.
    assert copied == {ref for ref in reports_in(database) if ref <= max(copied)}
    assert result.reports == len(copied) and result.schema_version == LATEST
    assert_sound(target)
    with sqlite3.connect(target) as copy:
        # Each report whole: its first event and its photo were written with it.
        assert copy.execute(
            "SELECT count(*) FROM reports r WHERE NOT EXISTS "
            "(SELECT 1 FROM report_events e WHERE e.report_id = r.id)"
        ).fetchone() == (0,)
        assert copy.execute(
            "SELECT count(*) FROM reports r WHERE NOT EXISTS "
            "(SELECT 1 FROM report_photos p WHERE p.report_id = r.id)"
        ).fetchone() == (0,)


async def test_a_restored_backup_shows_the_citizen_their_report(sandbox, bot, tmp_path):
    siti = sandbox.citizen(first_name="Siti")
    _, kept = await file_in_five(siti, description="Lampu jalan mati di depan sekolah")
    target = tmp_path / "wargalapor-backup.sqlite3"
    result = await run_cli(bot, "backup", str(target))
    assert result.returncode == 0, result.stderr
    _, lost = await file_in_five(siti, description="Sampah menumpuk di pinggir kali")

    # README's restore: stop the bot, set the database and its -wal and -shm aside, put the
    # copy in their place (owner-only), start the bot.
    await bot.stop()
    database = bot.settings.database_path
    aside = tmp_path / "before-restore"
    aside.mkdir()
    for suffix in ("", "-wal", "-shm"):
        live = database.with_name(database.name + suffix)
        if live.exists():
            live.rename(aside / live.name)
    shutil.copy2(target, database)
    await bot.start()

    await siti.send(f"/status {kept}")
    answer = (await siti.next_message()).plain_text
    assert answer.startswith(f"Laporan #{kept} — 🆕 Baru")
    assert "Penjelasan: Lampu jalan mati di depan sekolah" in answer
    await siti.send(f"/status {lost}")
    assert (await siti.next_message()).plain_text == (
        f"Laporan #{lost} tidak ditemukan. Periksa nomornya, ya."
    )
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600


async def test_refusals_are_one_line_exit_2_and_leave_nothing_behind(tmp_path):
    database = tmp_path / "data" / "w.sqlite3"
    database.parent.mkdir()
    missing = await run_cli(database, "backup", str(tmp_path / "b.sqlite3"))
    assert (missing.returncode, missing.stdout) == (2, "")
    assert (
        missing.stderr == f"wargalapor: database {database} does not exist: check DATABASE_PATH\n"
    )
    assert not database.exists()  # not created by looking for it

    assert (await run_cli(database, "migrate")).returncode == 0
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"last week's backup")
    refusals = {
        str(database): f"{database} is the live database {database} (or one of its files): "
        "write the backup somewhere else",
        "w.sqlite3": f"w.sqlite3 is the live database {database} (or one of its files): "
        "write the backup somewhere else",  # relative, from the database's folder
        f"{database}-wal": f"{database}-wal is the live database {database} (or one of its "
        "files): write the backup somewhere else",
        str(existing): f"{existing} already exists: add --force to replace it",
        str(tmp_path): f"{tmp_path} is a folder: give the backup's file name, e.g. "
        f"{tmp_path / 'wargalapor.sqlite3'}",
        str(tmp_path / "nope" / "b.sqlite3"): f"folder {tmp_path / 'nope'} does not exist: "
        "create it first",
        # A folder nobody may write, root included.
        "/sys/kernel/b.sqlite3": "cannot write in folder /sys/kernel: permission denied (choose "
        "a folder this user may write, or run as the bot's user)",
    }
    before = sorted(tmp_path.rglob("*"))
    for path, said in refusals.items():
        refused = await run_cli(database, "backup", path)
        assert (refused.returncode, refused.stdout) == (2, ""), path
        assert refused.stderr == f"wargalapor: backup: {said}\n"
    assert sorted(tmp_path.rglob("*")) == before  # no partial copy left anywhere
    assert existing.read_bytes() == b"last week's backup"

    replaced = await run_cli(database, "backup", str(existing), "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.startswith(f"backup written: {existing} (")
    assert_sound(existing)


async def test_a_copy_that_fails_its_check_is_not_written(tmp_path):
    """A database damaged on disk gives a damaged copy: exit 1, and nothing at PATH that a
    later restore could trust."""
    database = tmp_path / "w.sqlite3"
    with sqlite3.connect(database) as conn:  # a table and its index, one page each
        conn.execute("CREATE TABLE reports (id INTEGER PRIMARY KEY, description TEXT)")
        conn.execute("CREATE INDEX reports_description ON reports (description)")
        conn.executemany(
            "INSERT INTO reports (description) VALUES (?)", [(f"laporan {n}",) for n in range(100)]
        )
    data = bytearray(database.read_bytes())
    table_page = slice(4096, 8192)  # page 2, the table's: a row changed behind its index's back
    at = table_page.start + data[table_page].index(b"laporan 7")
    data[at : at + 9] = b"laporan X"
    database.write_bytes(bytes(data))
    target = tmp_path / "b.sqlite3"

    failed = await run_cli(database, "backup", str(target))

    assert (failed.returncode, failed.stdout) == (1, "")
    assert failed.stderr == (
        "wargalapor: backup failed: the copy fails PRAGMA integrity_check: row 80 missing from "
        "index reports_description; nothing was written\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.sqlite3"]
