"""An online copy of the SQLite database, consistent while the bot keeps writing to it.

Why SQLite's backup API and not ``cp``: a file copy taken while the bot writes can hold half a
transaction, and the committed rows still in ``-wal`` are not in the main file at all. The
backup API copies pages as SQLite sees them. It goes in steps of :data:`PAGES_PER_STEP` pages
with a pause between them, so a large database is read at a pace that leaves the disk to the bot.

Why one read transaction around all the steps: SQLite restarts a backup from its first page
whenever another connection changes the source between two steps, so a backup of a busy city
might never end. In WAL mode a reader holds a snapshot and never blocks the writer; copying every
step inside one snapshot gives a copy of one moment (everything committed before the backup
started, nothing after) however much the bot writes meanwhile. The price is that the bot's
checkpoints cannot shrink the ``-wal`` file until the copy ends.

Why a temporary name, then a rename: a backup cut short (disk full, the operator's Ctrl-C) must
never leave something at ``target`` that looks like a backup. The copy is owner-only like the
database itself (storage/files.py), in rollback-journal mode so it is one self-contained file, and
is checked (``PRAGMA integrity_check``, schema version, the report count of the snapshot) before it
takes its name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from storage.files import FILE_MODE, SQLITE_SIDE_FILES, tighten_sqlite_files
from storage.locks import lock_path

#: Pages copied per step: 1,024 pages of SQLite's default 4 KB are 4 MB.
PAGES_PER_STEP = 1024
#: Seconds between steps: a 1 GB database pauses about five seconds in all.
PAUSE_SECONDS = 0.02
BUSY_TIMEOUT_SECONDS = 5.0


class BackupRefused(Exception):
    """``target`` cannot be written, or may not be; the message is what to do about it."""


class BackupFailed(Exception):
    """The copy was made but is not sound; nothing was left at the target."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    schema_version: int
    reports: int
    steps: int


@dataclass(frozen=True)
class _Snapshot:
    schema_version: int
    reports: int


def backup_database(
    database: Path,
    target: Path,
    *,
    force: bool = False,
    pages: int = PAGES_PER_STEP,
    pause: float = PAUSE_SECONDS,
) -> BackupResult:
    """Copy ``database`` to ``target`` (refusing to replace a file unless ``force``), check it,
    and say what was written."""
    _refuse_bad_target(database, target, force)
    partial = _partial_file(target)
    try:
        snapshot, steps = _copy(database, partial, pages, pause)
        _verify(partial, snapshot)
        _sync(partial)
        _put_in_place(partial, target, force)
        _sync_folder(target.parent)
    finally:
        for suffix in ("", *SQLITE_SIDE_FILES):  # whatever a copy cut short left behind
            partial.with_name(partial.name + suffix).unlink(missing_ok=True)
    return BackupResult(
        path=target,
        size=target.stat().st_size,
        schema_version=snapshot.schema_version,
        reports=snapshot.reports,
        steps=steps,
    )


def _refuse_bad_target(database: Path, target: Path, force: bool) -> None:
    live = database.resolve()
    own = {live, lock_path(live).resolve()}
    own |= {live.with_name(live.name + suffix) for suffix in SQLITE_SIDE_FILES}
    if target.resolve() in own or (target.exists() and os.path.samefile(target, database)):
        raise BackupRefused(
            f"{target} is the live database {database} (or one of its files): "
            "write the backup somewhere else"
        )
    if target.is_dir():
        example = target / "wargalapor.sqlite3"
        raise BackupRefused(f"{target} is a folder: give the backup's file name, e.g. {example}")
    if not target.parent.is_dir():
        raise BackupRefused(f"folder {target.parent} does not exist: create it first")
    if target.exists() and not force:
        raise BackupRefused(f"{target} already exists: add --force to replace it")


def _partial_file(target: Path) -> Path:
    """An empty owner-only file beside ``target``, named so nobody takes it for a backup."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except PermissionError:
        raise BackupRefused(
            f"cannot write in folder {target.parent}: permission denied "
            "(choose a folder this user may write, or run as the bot's user)"
        ) from None
    except OSError as error:
        raise BackupRefused(f"cannot write in folder {target.parent}: {error.strerror}") from None
    os.close(fd)
    os.chmod(name, FILE_MODE)
    return Path(name)


def _copy(database: Path, partial: Path, pages: int, pause: float) -> tuple[_Snapshot, int]:
    # mode=rw: a database that is not there is an error, never a new empty file.
    source = sqlite3.connect(
        f"{database.resolve().as_uri()}?mode=rw",
        uri=True,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_SECONDS,
    )
    try:
        source.execute("BEGIN")  # the snapshot every step copies from (see the module's doc)
        snapshot = _read_snapshot(source)
        copy = sqlite3.connect(partial, isolation_level=None)
        steps = 0
        left: int | None = None  # pages left after the last step

        def paced(_status: int, remaining: int, _total: int) -> None:
            # The pause is here: Connection.backup's own ``sleep`` only waits after a busy step.
            nonlocal steps, left
            if left is not None and remaining > left:
                # Started over: the snapshot did not hold, and it could start over for ever.
                raise BackupFailed("the database changed under the copy; it was not consistent")
            steps, left = steps + 1, remaining
            if remaining:
                time.sleep(pause)

        try:
            source.backup(copy, pages=pages, progress=paced)
            tighten_sqlite_files(partial)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file: no -wal to carry along
        finally:
            copy.close()
        source.execute("ROLLBACK")  # it only read
    finally:
        source.close()
    return snapshot, steps


def _read_snapshot(conn: sqlite3.Connection) -> _Snapshot:
    """The schema version and report count of the transaction's snapshot (its first read)."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if "reports" not in tables:  # a database no migration has run on yet
        return _Snapshot(schema_version=version, reports=0)
    reports = int(conn.execute("SELECT count(*) FROM reports").fetchone()[0])
    return _Snapshot(schema_version=version, reports=reports)


def _verify(partial: Path, expected: _Snapshot) -> None:
    check = sqlite3.connect(f"{partial.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in check.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupFailed(f"the copy fails PRAGMA integrity_check: {'; '.join(problems[:5])}")
        found = _read_snapshot(check)
        journal = check.execute("PRAGMA journal_mode").fetchone()[0]
    except sqlite3.DatabaseError as error:  # too damaged for integrity_check to list it
        raise BackupFailed(f"the copy cannot be read: {error}") from None
    finally:
        check.close()
    if found != expected:
        raise BackupFailed(
            f"the copy holds schema version {found.schema_version} and {found.reports} reports; "
            f"the database had {expected.schema_version} and {expected.reports}"
        )
    if journal != "delete":
        raise BackupFailed(f"the copy is in journal mode {journal}, not one self-contained file")


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """The rename itself reaches the disk (a crash right after keeps the backup's name)."""
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a folder
        _sync(folder)


def _put_in_place(partial: Path, target: Path, force: bool) -> None:
    """``partial`` becomes ``target`` at once; without ``force``, never over a file that
    appeared at ``target`` while the copy was made (a hard link fails if the name is taken)."""
    if force:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)
    except FileExistsError:
        raise BackupRefused(f"{target} already exists: add --force to replace it") from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if target.exists():  # a filesystem without hard links: check, then rename
            raise BackupRefused(f"{target} already exists: add --force to replace it") from None
        os.replace(partial, target)
