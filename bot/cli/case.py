"""``python -m bot case show|list|update``: agency staff read and change cases from a terminal.

Why a CLI beside the group buttons: back-office staff and their scripts work from desks, not from
kelurahan group chats. A change goes through :class:`bot.domain.cases.CasesService`, exactly like a
button press: same transitions, same event row, same follow-ups. This process never talks to
Telegram; the follow-ups are outbox rows that the running bot picks up within
``OUTBOX_POLL_SECONDS`` (there is no bot here to wake), or as soon as it starts.

Bad arguments end with one line on stderr and exit code 2, like configuration errors, so a script
can tell "you asked for something impossible" from "it broke" (exit 1). The citizen's Telegram id
is never printed: staff read "citizen".
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sqlite3
import sys
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain.cases import STATUSES, TRANSITIONS, Actor, ChangeResult, Outcome, anywhere
from bot.geo.areas import AreaFileError
from bot.ids import parse_id
from bot.images import HEAD_BYTES, sniff
from storage.drafts import DraftPhoto
from storage.files import copy_private, private_dir
from storage.report_query import ReportQuery
from storage.reports import Report, ReportEvent

if TYPE_CHECKING:
    from bot.geo.directory import ScopeChoice
    from bot.services import Services

EXIT_USAGE = 2
EXIT_FAILED = 1
DEFAULT_ACTOR = "agency (CLI)"
MAX_NOTE = 700  # as for an officer's reply: the follow-up must fit a 1,024-character photo caption
MAX_ACTOR_NAME = 64  # shown on every alert card as who made the last change
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram refuses larger uploads with sendPhoto
MAX_LIMIT = 1000
_REF = re.compile(r"^#?(\d{1,12})$")
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class UsageError(Exception):
    """A bad argument; the message is the one line the operator reads."""


@dataclass(frozen=True)
class PhotoFile:
    """An image checked on disk; ``extension`` comes from its bytes, not from its name."""

    path: Path
    extension: str


@dataclass(frozen=True)
class UpdateRequest:
    ref: int
    status: str | None
    note: str | None
    photo: PhotoFile | None
    duplicate_of: int | None
    actor: Actor


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
    update.add_argument("--photo", help="a JPEG, PNG or WebP file to send with the follow-up")
    update.add_argument("--duplicate-of", help="the original report, with --status duplicate")
    update.add_argument("--by", help=f"who makes the change (default: {DEFAULT_ACTOR})")


def run_case(settings: Settings, args: argparse.Namespace) -> int:
    """Check the arguments, then the database, then do the work; exit 2 on a bad argument."""
    try:
        job = _job(args)
        if not settings.database_path.is_file():
            raise UsageError(
                f"database {settings.database_path} does not exist: check DATABASE_PATH"
            )
        asyncio.run(_with_services(settings, job))
    except UsageError as error:
        print(f"wargalapor: {error}", file=sys.stderr)
        return EXIT_USAGE
    except AreaFileError as error:
        source = settings.areas_file or "the bundled areas"
        print(f"wargalapor: AREAS_FILE {source}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (sqlite3.Error, OSError) as error:
        print(f"wargalapor: case {args.case_command} failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _job(args: argparse.Namespace) -> Callable[[Services], Awaitable[None]]:
    """The subcommand with its arguments checked: a typo costs no database and copies no file."""
    command = args.case_command
    if command == "show":
        ref = parse_ref(args.ref)
        return lambda services: _show(services, ref)
    if command == "list":
        status, limit = _status(args.status), _limit(args.limit)
        return lambda services: _list(services, args.area, status, limit)
    request = _update_request(args)
    return lambda services: _update(services, request)


async def _with_services(settings: Settings, job: Callable[[Services], Awaitable[None]]) -> None:
    from bot.telegram.application import (
        open_services,  # heavy (Telegram, handlers): only once the job is valid
    )

    services = await open_services(settings)
    try:
        await job(services)
    finally:
        await services.store.close()


def parse_ref(text: str, option: str = "report") -> int:
    match = _REF.match(text.strip())
    if match is None:
        raise UsageError(f"{option} {text!r} is not a reference: write a number such as 1042")
    return int(match.group(1))


def _status(text: str | None) -> str | None:
    if text is None:
        return None
    status = text.strip().lower()
    if status not in STATUSES:
        raise UsageError(f"unknown status {text!r}; valid: {', '.join(STATUSES)}")
    return status


def _limit(text: str) -> int:
    limit = parse_id(text.strip())
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit {text!r}: give a whole number from 1 to {MAX_LIMIT}")
    return limit


def _update_request(args: argparse.Namespace) -> UpdateRequest:
    ref = parse_ref(args.ref)
    status = _status(args.status)
    note = (args.note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise UsageError(f"--note is {len(note)} characters long; at most {MAX_NOTE}")
    if status is None and note is None and args.photo is None:
        raise UsageError("nothing to update: give --status, --note or --photo")
    if status == "rejected" and note is None:
        raise UsageError("--status rejected needs the reason for the reporter in --note")
    duplicate_of = None
    if args.duplicate_of is not None:
        if status != "duplicate":
            raise UsageError("--duplicate-of goes with --status duplicate only")
        duplicate_of = parse_ref(args.duplicate_of, "--duplicate-of")
        if duplicate_of == ref:
            raise UsageError(f"--duplicate-of #{ref}: a report cannot duplicate itself")
    elif status == "duplicate":
        raise UsageError("--status duplicate needs --duplicate-of REF, the original report")
    name = (args.by or "").strip() or DEFAULT_ACTOR
    if len(name) > MAX_ACTOR_NAME:
        raise UsageError(f"--by is {len(name)} characters long; at most {MAX_ACTOR_NAME}")
    photo = check_photo(Path(args.photo)) if args.photo is not None else None
    return UpdateRequest(ref, status, note, photo, duplicate_of, Actor("agency", None, name))


def check_photo(path: Path) -> PhotoFile:
    if not path.is_file():
        raise UsageError(f"--photo {path}: no such file")
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            image = sniff(file.read(HEAD_BYTES))
    except OSError as error:
        raise UsageError(f"--photo {path}: cannot read it ({error.strerror})") from None
    if size > MAX_PHOTO_BYTES:
        raise UsageError(f"--photo {path}: {size / 2**20:.1f} MB; Telegram takes at most 10 MB")
    if image is None:
        raise UsageError(f"--photo {path}: not a JPEG, PNG or WebP image")
    return PhotoFile(path, image.extension)


def store_photo(database_path: Path, photo: PhotoFile) -> tuple[Path, DraftPhoto]:
    """Copy next to the database, where the bot process can read it until its first upload."""
    from bot.outbox.delivery import (
        LOCAL_PHOTO_PREFIX,  # imports Telegram: not for every CLI command
    )

    folder = database_path.resolve().parent / "uploads"
    private_dir(folder)  # owner-only, like the database (storage/files.py)
    name = uuid.uuid4().hex
    target = folder / f"{name}{photo.extension}"
    copy_private(photo.path, target)
    return target, DraftPhoto(f"{LOCAL_PHOTO_PREFIX}{target}", f"{LOCAL_PHOTO_PREFIX}{name}")


async def _update(services: Services, request: UpdateRequest) -> None:
    if await services.store.reports.get(request.ref) is None:
        raise UsageError(f"report #{request.ref} not found")
    copy: Path | None = None
    photo: DraftPhoto | None = None
    if request.photo is not None:
        copy, photo = await asyncio.to_thread(
            store_photo, services.settings.database_path, request.photo
        )
    result: ChangeResult | None = None
    try:
        if request.status is None:
            result = await services.cases.add_note(
                request.ref, request.actor, note=request.note, photo=photo
            )
        else:
            result = await services.cases.change_status(
                request.ref,
                request.status,
                request.actor,
                note=request.note,
                photo=photo,
                duplicate_of=request.duplicate_of,
                may_touch_original=anywhere,  # the operator's own terminal: any report
            )
    finally:
        if copy is not None and (result is None or result.outcome is not Outcome.CHANGED):
            copy.unlink(missing_ok=True)  # nothing refers to it
    assert result is not None
    if result.outcome is Outcome.UNCHANGED:  # a retried command: the wish is already true
        dropped = photo is not None or request.note is not None
        extra = "; the note/photo was not added: run without --status to add it" if dropped else ""
        print(f"#{request.ref} is already {request.status}: nothing changed{extra}")
        return
    if result.outcome is not Outcome.CHANGED:
        raise UsageError(_refusal(request, result))
    await _print_change(services, request, result, copy)


def _refusal(request: UpdateRequest, result: ChangeResult) -> str:
    """One line per refusal of :meth:`CasesService.change_status`, naming the way out."""
    ref = request.ref
    if result.outcome is Outcome.NOT_ALLOWED and result.report is not None:
        current = result.report.status
        allowed = [status for status in STATUSES if status in TRANSITIONS[current]]
        if not allowed:
            return f"report #{ref} is {current}, a final status; only a note can be added"
        return (
            f"report #{ref} is {current}; it cannot become {request.status},"
            f" only: {', '.join(allowed)}"
        )
    if result.outcome is Outcome.NOTE_REQUIRED:
        return "--status rejected needs the reason for the reporter in --note"
    if result.outcome is Outcome.BAD_DUPLICATE:
        return f"--duplicate-of #{request.duplicate_of}: no such report"
    return f"report #{ref} not found"


async def _print_change(
    services: Services, request: UpdateRequest, result: ChangeResult, copy: Path | None
) -> None:
    assert result.event_id is not None
    event = await services.store.reports.event(result.event_id)
    assert event is not None
    who = request.actor.name
    if event.old_status != event.new_status:
        print(f"#{request.ref}: {event.old_status} → {event.new_status} (by {who})")
    else:
        added = " and ".join(
            kind for kind, given in (("note", request.note), ("photo", copy)) if given
        )
        print(f"#{request.ref}: {added} added, status stays {event.new_status} (by {who})")
    if request.note:
        print(f"  note: {one_line(request.note)}")
    if copy is not None:
        print(f"  photo: {copy}")
    if event.new_status == "duplicate" and request.duplicate_of:
        print(f"  duplicate of: #{request.duplicate_of}, whose follow-ups its followers now get")
    followers = len(await services.store.reports.followers(request.ref))
    seconds = f"{services.settings.outbox_poll_seconds:g}"
    print(
        f"  {followers} follower(s), the reporter included, will be told by the running bot"
        f" within {seconds} s (OUTBOX_POLL_SECONDS), or when it starts"
    )


async def _show(services: Services, ref: int) -> None:
    from bot.outbox.renderers import local_time

    report = await services.store.reports.get(ref)
    if report is None:
        raise UsageError(f"report #{ref} not found")
    photos = await services.store.reports.photos(ref)
    from_citizen = sum(1 for photo in photos if photo.role == "citizen")
    lines = [
        f"Report #{report.id}",
        f"  Category:    {_category(services, report)} ({report.category_key})",
        f"  Status:      {report.status}",
        f"  Place:       {_place(services, report)}",
    ]
    address = ", ".join(one_line(part) for part in (report.place_name, report.address) if part)
    if address:
        lines.append(f"  Address:     {address}")
    lines += [
        f"  Location:    {report.lat:.5f}, {report.lon:.5f}",
        f"  Created:     {local_time(services, report.created_at)}",
        f"  Updated:     {local_time(services, report.updated_at)}",
        f"  Supporters:  {report.supporters}",
        f"  Photos:      {len(photos)} ({from_citizen} from the citizen,"
        f" {len(photos) - from_citizen} from staff)",
    ]
    if report.duplicate_of:
        lines.append(f"  Duplicate:   of #{report.duplicate_of}")
    description = clean(report.description).splitlines() or [""]
    lines.append(f"  Description: {description[0]}")
    lines += [f"               {line}" for line in description[1:]]
    lines.append("History:")
    for event in await services.store.reports.events(ref):
        lines.append(f"  {local_time(services, event.at)}  {history_line(event)}")
    print("\n".join(lines))


def history_line(event: ReportEvent) -> str:
    """Who, what, and the note; never the citizen's id (staff need the story, not the person)."""
    if event.actor_kind == "citizen":
        actor = "citizen"
    else:
        actor = one_line(event.actor_name or "") or event.actor_kind
    if event.old_status is None:
        change = f"filed: {event.new_status}"
    elif event.old_status != event.new_status:
        change = f"{event.old_status} → {event.new_status}"
    else:
        change = "note"
    parts = [f"{actor:<16} {change}"]
    if event.note:
        parts.append(f'"{one_line(event.note)}"')
    if event.photo_file_id:
        parts.append("[photo]")
    return "  ".join(parts)


async def _list(services: Services, area: str | None, status: str | None, limit: int) -> None:
    codes: list[str] | None = None
    scope_text = "anywhere"
    if area is not None:
        choices = services.directory.resolve(area)
        if not choices:
            hints = [_scope_label(choice) for choice in services.directory.suggest(area)]
            hint = f"; did you mean: {', '.join(hints)}?" if hints else ""
            raise UsageError(f"unknown area {area!r}{hint}")
        codes = _area_codes(services, choices)
        scope_text = ", ".join(_scope_label(choice) for choice in choices)
    query = ReportQuery(
        area_codes=None if codes is None else tuple(codes),
        statuses=None if status is None else (status,),
    )
    reports = await services.store.reports.search(query, limit=limit)
    now = datetime.now(UTC)
    print(
        f"{len(reports)} report(s), newest first; area: {scope_text};"
        f" status: {status or 'any'}; limit: {limit}"
    )
    for report in reports:
        place = services.areas.by_code.get(report.area_code or "")
        print(
            f"#{report.id:<7} {report.status:<12} {_category(services, report):<22}"
            f" {place.name if place else '(outside)':<24} {age(report.created_at, now)}"
        )


def _area_codes(services: Services, choices: list[ScopeChoice]) -> list[str]:
    """Every kelurahan under any of the matches: "Gambir" is a kelurahan and its kecamatan."""
    codes: set[str] = set()
    for choice in choices:
        kind, key = choice.scope.kind, choice.scope.key
        for area in services.areas.areas:
            if (
                (kind == "kelurahan" and area.code == key)
                or (kind == "kecamatan" and area.district == key)
                or (kind == "kota" and area.city == key)
            ):
                codes.add(area.code)
    return sorted(codes)


def _scope_label(choice: ScopeChoice) -> str:
    if choice.scope.kind == "kelurahan":
        return f"Kel. {choice.name} (Kec. {choice.parent})"
    if choice.scope.kind == "kecamatan":
        return f"Kec. {choice.name}, {choice.parent} ({choice.size} kelurahan)"
    return f"{choice.name} ({choice.size} kelurahan)"


def _category(services: Services, report: Report) -> str:
    category = services.categories.get(report.category_key)
    return category.name("en") if category else report.category_key


def _place(services: Services, report: Report) -> str:
    area = services.areas.by_code.get(report.area_code or "")
    if area is None:
        return "outside the service area"
    return f"Kel. {area.name}, Kec. {area.district}, {area.city} [{area.code}]"


def age(iso: str, now: datetime) -> str:
    seconds = max(0, int((now - datetime.fromisoformat(iso)).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def clean(text: str) -> str:
    """Citizen text is printed to a terminal: drop control characters (escape sequences could
    rewrite the screen) and bidi overrides (they could make a line read differently)."""
    return "".join(
        ch
        for ch in text.replace("\r\n", "\n").replace("\t", " ")
        if ch == "\n" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    )


def one_line(text: str) -> str:
    return " / ".join(part.strip() for part in clean(text).splitlines() if part.strip())
