"""``python -m bot case show|list|update|handoff|export``: agency staff read, change, hand over
and export cases from a terminal.

Why a CLI beside the group buttons: back-office staff and their scripts work from desks, not from
kelurahan group chats. A change goes through :class:`bot.domain.cases.CasesService`, exactly like a
button press: same transitions, same event row, same follow-ups. This process never talks to
Telegram; the follow-ups are outbox rows that the running bot picks up within
``OUTBOX_POLL_SECONDS`` (there is no bot here to wake), or as soon as it starts.

Bad arguments end with one line on stderr and exit code 2, like configuration errors, so a script
can tell "you asked for something impossible" from "it broke" (exit 1). The citizen's Telegram id
is never printed: staff read "citizen".

This module registers the subcommands and runs one; :mod:`bot.cli.case_args` checks the
arguments, :mod:`bot.cli.case_read` prints ``show`` and ``list``, :mod:`bot.cli.case_update`
makes a change, :mod:`bot.cli.case_export` writes a case file.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli.case_args import (
    DEFAULT_ACTOR,
    export_request,
    parse_limit,
    parse_ref,
    parse_status,
    update_request,
)
from bot.cli.case_export import export
from bot.cli.case_handoff import add_handoff_parser, handoff, handoff_request
from bot.cli.case_read import list_reports, show
from bot.cli.case_update import update
from bot.cli.usage import exit_code, require_database
from bot.config import Settings
from bot.domain.statuses import STATUSES

if TYPE_CHECKING:
    from bot.services import Services


def add_case_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``case`` and its subcommands; values are checked later, for one-line errors."""
    case = commands.add_parser("case", help="show, list and update reports (agency staff)")
    actions = case.add_subparsers(dest="case_command", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="a report and its history")
    show.add_argument("ref", help="report reference, e.g. 1042 or #1042")
    listing = actions.add_parser("list", help="reports, newest first")
    listing.add_argument("--area", help="kelurahan code, or kelurahan/kecamatan/kota name")
    listing.add_argument("--status", help=f"one of: {', '.join(STATUSES)}")
    listing.add_argument("--limit", default="20", help="how many (default 20)")
    update = actions.add_parser(
        "update",
        help="change a report's status, or add a note or photo",
        description="Follow-ups are delivered by the running bot within OUTBOX_POLL_SECONDS.",
    )
    update.add_argument("ref", help="report reference, e.g. 1042 or #1042")
    update.add_argument("--status", help=f"new status, one of: {', '.join(STATUSES)}")
    update.add_argument("--note", help="public note for the reporter (the reason, for rejected)")
    update.add_argument(
        "--photo",
        help="a JPEG, PNG or WebP file to send with the follow-up: the after photo that"
        ' categories with resolve_photo = "required" need for --status resolved',
    )
    update.add_argument("--duplicate-of", help="the original report, with --status duplicate")
    update.add_argument("--by", help=f"who makes the change (default: {DEFAULT_ACTOR})")
    add_handoff_parser(actions)
    case_file = actions.add_parser(
        "export",
        help="a report's case file as a zip (history, notes, additions, photos, checksums)",
    )
    case_file.add_argument("ref", help="report reference, e.g. 1042 or #1042")
    case_file.add_argument("--output", help="the zip to write (default: case-REF.zip here)")


def run_case(settings: Settings, args: argparse.Namespace) -> int:
    """Check the arguments, then the database, then do the work; exit 2 on a bad argument."""

    def work() -> int:
        job = _job(args)
        require_database(settings.database)
        asyncio.run(_with_services(settings, job))
        return 0

    return exit_code(f"case {args.case_command}", settings.areas_file, work)


def _job(args: argparse.Namespace) -> Callable[[Services], Awaitable[None]]:
    """The subcommand with its arguments checked: a typo costs no database and copies no file."""
    command = args.case_command
    if command == "show":
        ref = parse_ref(args.ref)
        return lambda services: show(services, ref)
    if command == "export":
        wanted = export_request(args)
        return lambda services: export(services, wanted)
    if command == "list":
        status, limit = parse_status(args.status), parse_limit(args.limit)
        return lambda services: list_reports(services, args.area, status, limit)
    if command == "handoff":
        wanted_handoff = handoff_request(args)
        return lambda services: handoff(services, wanted_handoff)
    request = update_request(args)
    return lambda services: update(services, request)


async def _with_services(settings: Settings, job: Callable[[Services], Awaitable[None]]) -> None:
    from bot.telegram.application import (
        open_services,  # heavy (Telegram, handlers): only once the job is valid
    )

    services = await open_services(settings)
    try:
        await job(services)
    finally:
        await services.store.close()
