"""``python -m bot backup PATH [--force]``: a consistent copy of the database while the bot runs.

Why a command of its own: copying the file with ``cp`` beside a running bot can catch half a
transaction and misses what is still in ``-wal``; :mod:`storage.backup` copies through SQLite's
backup API from one snapshot, checks the copy and only then gives it its name. It takes no lock
the bot needs, so it runs from cron or a systemd timer beside the service.

Refusals (a missing database, a target that is the database itself, an existing file without
``--force``, a folder that is missing or not writable) are one line and exit code 2, like the other
commands; a copy that fails its check, or a disk that fills up, is exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.usage import EXIT_FAILED, UsageError, exit_code, require_database
from bot.config import Settings
from storage.backup import BackupFailed, BackupRefused, BackupResult, backup_database


def add_backup_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "backup", help="copy the database to PATH while the bot runs (SQLite's backup API)"
    )
    parser.add_argument("path", metavar="PATH", type=Path, help="the new file, e.g. backup.sqlite3")
    parser.add_argument("--force", action="store_true", help="replace PATH if it exists")


def run_backup(settings: Settings, args: argparse.Namespace) -> int:
    def work() -> int:
        if settings.database_url is not None:
            raise UsageError(postgres_instead(settings.database_url, args.path))
        require_database(settings.database_path)
        try:
            result = backup_database(settings.database_path, args.path, force=args.force)
        except BackupRefused as refused:
            raise UsageError(f"backup: {refused}") from None
        except BackupFailed as failed:
            print(f"wargalapor: backup failed: {failed}; nothing was written", file=sys.stderr)
            return EXIT_FAILED
        print(written(result))
        uploads = settings.database_path.parent / "uploads"
        if uploads.is_dir() and any(uploads.iterdir()):
            print(
                f"photos not yet sent to Telegram are files in {uploads}, not in the database: "
                "copy that folder too"
            )
        return 0

    return exit_code("backup", settings.areas_file, work)


def postgres_instead(url: str, path: Path) -> str:
    """PostgreSQL has its own consistent online copy, made by the server's pg_dump."""
    from storage.postgres import redacted

    return (
        "backup: the database is PostgreSQL (DATABASE_URL); back it up with its own tool, "
        f"which copies it online too: pg_dump -Fc -f {path} '{redacted(url)}'"
    )


def written(result: BackupResult) -> str:
    """The line an operator (or a cron mail) reads: where, how big, which schema, how many."""
    return (
        f"backup written: {result.path} ({_size(result.size)}, schema version "
        f"{result.schema_version}, {result.reports} reports, integrity ok)"
    )


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.2f} GB"
