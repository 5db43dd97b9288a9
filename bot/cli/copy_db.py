"""``python -m bot copy-db --from sqlite:PATH --to postgresql://…``: a city moves to PostgreSQL.

The target is migrated first (it may be a new, empty database), then filled from one snapshot
of the SQLite file (storage/copy.py says how and what it leaves to PostgreSQL). It prints each
table's rows, so the operator can compare them with the source.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.usage import EXIT_FAILED, EXIT_USAGE
from storage.copy import CopyError, copy_database
from storage.engines import is_postgres_url


def add_copy_db_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "copy-db", help="copy the SQLite database into an empty PostgreSQL database"
    )
    parser.add_argument("--from", dest="source", required=True, help="sqlite:PATH (or PATH)")
    parser.add_argument("--to", dest="target", required=True, help="postgresql://… URL")


def run_copy_db(args: argparse.Namespace) -> int:
    source = str(args.source).removeprefix("sqlite:").removeprefix("//")
    if is_postgres_url(source):
        print("wargalapor: copy-db copies from a SQLite file (--from sqlite:PATH)", file=sys.stderr)
        return EXIT_USAGE
    if not is_postgres_url(args.target):
        print("wargalapor: copy-db --to takes a postgresql:// URL", file=sys.stderr)
        return EXIT_USAGE
    if not Path(source).is_file():
        print(f"wargalapor: copy-db: {source} does not exist", file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(_copy(Path(source), args.target))


async def _copy(source: Path, url: str) -> int:
    from storage.postgres import PostgresDatabase

    target = PostgresDatabase(url, pool_size=2)
    try:
        await target.open()
        report = await copy_database(
            source, target, progress=lambda table, rows: print(f"{table}: {rows} rows")
        )
    except CopyError as error:
        print(f"wargalapor: copy-db: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # the driver's: a refused connection, a login, a bad value
        print(f"wargalapor: copy-db failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        await target.close()
    total = sum(report.rows.values())
    print(f"copied {total} rows from {source} to {target.label}")
    return 0
