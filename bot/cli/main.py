"""Command line: ``python -m bot [run|playground|migrate|check|backup|case|apikey|agency|officer|
citizen]`` (see :mod:`bot.cli.backup`, :mod:`bot.cli.case`, :mod:`bot.cli.apikey`,
:mod:`bot.cli.agency`, :mod:`bot.cli.officer`,
:mod:`bot.playground`).

Configuration problems end with one readable line and exit code 2, never a traceback: the person
running this is setting the bot up and needs to know which variable to fix.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack

from dotenv import find_dotenv, load_dotenv

from bot.cli.agency import add_agency_parser, run_agency
from bot.cli.apikey import add_apikey_parser, run_apikey
from bot.cli.backup import add_backup_parser, run_backup
from bot.cli.case import add_case_parser, run_case
from bot.cli.copy_db import add_copy_db_parser, run_copy_db
from bot.cli.officer import add_officer_parsers, run_officer
from bot.cli.usage import EXIT_FAILED
from bot.config import ConfigError, Settings, load_settings
from storage.locks import AlreadyRunning, instance_lock, lock_path

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wargalapor", description="WargaLapor Telegram bot for citizen reports."
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (default)")
    commands.add_parser(
        "playground", help="try the bot in a browser, without Telegram (default with no token)"
    )
    commands.add_parser("migrate", help="apply database migrations and exit")
    commands.add_parser("check", help="validate configuration and database without Telegram")
    add_backup_parser(commands)
    add_case_parser(commands)
    add_apikey_parser(commands)
    add_agency_parser(commands)
    add_officer_parsers(commands)
    add_copy_db_parser(commands)
    return parser


def _run(settings: Settings) -> int:
    """The bot, holding its database for as long as it runs (see storage/locks.py); a second
    bot on the same database stops here with one line naming the first."""
    with ExitStack() as held:
        if settings.database_url is not None:  # several processes may share it: no lock
            return _serve(settings)
        try:
            held.enter_context(instance_lock(settings.database_path))
        except AlreadyRunning as running:
            print(already_running(running), file=sys.stderr)
            return EXIT_CONFIG
        return _serve(settings)


def already_running(running: AlreadyRunning) -> str:
    """What the operator of a second bot reads: who holds the database, and how to stop it."""
    if running.pid is None:
        who, stop = f"another process holds {lock_path(running.database)}", "stop it"
    else:
        who, stop = f"pid {running.pid}", f"stop it with `kill {running.pid}`"
    return (
        f"wargalapor: WargaLapor is already running on {running.database} ({who}); {stop} "
        "(or `systemctl stop` its service) before starting another: one bot per database"
    )


def _serve(settings: Settings) -> int:
    from bot.geo.areas import AreaFileError, AreaIndex
    from bot.logs import setup_logging
    from bot.telegram.application import ALLOWED_UPDATES, build_application

    try:
        AreaIndex.load(settings.areas_file)  # refuse a broken boundary file before going online
    except (AreaFileError, OSError) as error:
        source = settings.areas_file or "the bundled areas"
        print(f"wargalapor: AREAS_FILE {source}: {error}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(
        settings.log_level,
        settings.bot_token,
        secrets=(settings.webhook_secret,),
        libraries=settings.log_level_libraries,
    )
    application = build_application(settings)
    if settings.webhook_url:
        from bot.telegram.webhook_runner import WebhookError, run_webhook

        try:
            asyncio.run(run_webhook(application, settings, allowed_updates=ALLOWED_UPDATES))
        except WebhookError as error:
            print(f"wargalapor: {error}", file=sys.stderr)
            return EXIT_CONFIG
        return 0
    if settings.database_url is not None:
        from bot.telegram.shared_polling import run_shared_polling

        # Every process works; the one holding the polling lease polls for all of them.
        asyncio.run(
            run_shared_polling(application, settings.database_url, allowed_updates=ALLOWED_UPDATES)
        )
        return 0
    # Updates sent while the bot was down are still handled: nothing a citizen typed is dropped.
    application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    return 0


async def _migrate(settings: Settings) -> int:
    from storage.engines import backend_for

    db = backend_for(settings.database)
    try:
        await db.open(migrate=False)
        applied = await db.migrate()  # waits for a bot or a migrate already at it
        version = await db.schema_version()
    except Exception as error:  # SQLite's or the PostgreSQL driver's: a locked file, a login
        print(f"wargalapor: migrate failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        await db.close()
    names = ", ".join(applied) if applied else "none"
    print(f"database {db.label}: schema version {version} (applied: {names})")
    return 0


async def _check(settings: Settings) -> int:
    """Everything the bot needs at start, except Telegram itself."""
    from bot.domain.categories import load_categories
    from bot.geo.areas import AreaFileError, AreaIndex
    from storage.engines import backend_for

    problems = 0
    print(f"configuration: ok (admins: {len(settings.admin_user_ids)})")
    try:
        categories = load_categories()
        print(f"categories: ok ({len(categories)})")
    except ValueError as error:
        print(f"categories: {error}", file=sys.stderr)
        problems += 1
    try:
        areas = AreaIndex.load(settings.areas_file)
        print(f"areas: ok ({len(areas.areas)} kelurahan)")
    except (AreaFileError, OSError) as error:
        print(f"areas: {error}", file=sys.stderr)
        problems += 1
    db = backend_for(settings.database)
    latest = db.latest_version()
    try:
        await db.open(migrate=False)
        version = await db.schema_version()
        await db.close()
    except Exception as error:
        print(f"database {db.label}: cannot open ({error})", file=sys.stderr)
        return EXIT_CONFIG
    state = (
        "ok" if version == latest else f"behind ({version} < {latest}); run: python -m bot migrate"
    )
    print(f"database {db.label}: schema {version}, {state}")
    return EXIT_CONFIG if problems else 0


def _no_token() -> bool:
    """Plain ``python -m bot`` on a machine with no bot yet: the playground, not an error."""
    return not (os.environ.get("TELEGRAM_BOT_TOKEN") or "").strip()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # From the working folder, as README says; the default search starts at this file instead.
    load_dotenv(find_dotenv(usecwd=True))
    if args.command == "copy-db":  # needs no bot settings: both ends are on its command line
        return run_copy_db(args)
    if args.command == "playground" or (args.command is None and _no_token()):
        from bot.playground.main import NO_TOKEN, run_playground

        if args.command is None:
            print(NO_TOKEN, file=sys.stderr, flush=True)
        return run_playground(os.environ)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"wargalapor: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    command = args.command or "run"
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    if command == "check":
        return asyncio.run(_check(settings))
    if command == "backup":
        return run_backup(settings, args)
    if command == "case":
        return run_case(settings, args)
    if command == "apikey":
        return run_apikey(settings, args)
    if command == "agency":
        return run_agency(settings, args)
    if command in ("officer", "citizen"):
        return run_officer(settings, args)
    return _run(settings)
