"""Files only the bot's own user may read: the database (with its -wal and -shm) and uploads.

Why: the database holds citizens' chat ids, locations and descriptions, and the hashes behind
staff sign-ins; an upload is a photo of someone's street. On a shared host the default umask
(022) would leave all of it readable by every local account. Modes are set explicitly, whatever
the umask: files are created 0600 before SQLite opens them, and existing ones are tightened.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) or tighten it to owner-only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Create an empty ``path`` owner-only (no window where it is readable), or tighten it."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)


def tighten_sqlite_files(database: Path) -> None:
    """The database's side files, once SQLite has created them (it copies the main file's mode
    on most builds; this makes sure on the others)."""
    for suffix in SQLITE_SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if side.exists():
            os.chmod(side, FILE_MODE)


def copy_private(source: Path, target: Path) -> None:
    """Copy ``source`` to a new owner-only ``target``."""
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    with os.fdopen(fd, "wb") as out, source.open("rb") as given:
        shutil.copyfileobj(given, out)
