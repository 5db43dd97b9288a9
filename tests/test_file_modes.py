"""The database, its -wal and -shm, and the uploads folder are the bot user's alone, whatever
the umask: a shared host's other accounts must not read citizens' reports or photos."""

from __future__ import annotations

import os
import stat

import pytest

from bot.playground.botapi import TINY_JPEG
from storage.store import Store
from tests.helpers import file_report
from tests.test_cli_case import case


@pytest.fixture
def loose_umask():
    """The common default, under which files come out world-readable unless we say otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.sqlite_only  # the modes of the SQLite file
async def test_database_and_uploads_are_owner_only(sandbox, make_bot, tmp_path, loose_umask):
    database = tmp_path / "data" / "wargalapor.sqlite3"
    # A database from before: created readable by all, as the old code left it.
    old = await Store.open(database)
    await old.close()
    os.chmod(database, 0o644)

    bot = await make_bot()
    warga = sandbox.citizen()
    ref = await file_report(warga)  # the bot has written: WAL and shared memory exist
    after = tmp_path / "after.jpg"
    after.write_bytes(TINY_JPEG)
    updated = await case(bot, "update", str(ref), "--status", "acknowledged", "--photo", str(after))
    assert updated.returncode == 0, updated.stderr

    assert database.with_name(database.name + "-wal").exists()
    for suffix in ("", "-wal", "-shm"):
        assert mode(database.with_name(database.name + suffix)) == 0o600, suffix
    uploads = database.parent / "uploads"
    assert mode(uploads) == 0o700
    [photo] = uploads.iterdir()
    assert mode(photo) == 0o600


async def test_a_new_database_is_owner_only_from_the_start(tmp_path, loose_umask):
    database = tmp_path / "new" / "w.sqlite3"
    store = await Store.open(database)
    try:
        await store.inbox.receive(1, "{}")
        for suffix in ("", "-wal", "-shm"):
            assert mode(database.with_name(database.name + suffix)) == 0o600, suffix
        assert mode(database.parent) == 0o700  # the folder it created for it
    finally:
        await store.close()
