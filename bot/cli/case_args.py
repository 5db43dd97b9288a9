"""The ``case`` subcommands' arguments, checked before any database is opened or file copied.

Why before: a typo costs nothing and leaves nothing behind, and every refusal is one line naming
the way out (:class:`bot.cli.usage.UsageError`, exit 2). The limits are those of the group
buttons, so a CLI change can say nothing a button press could not.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

from bot.cli.case_export import ExportRequest, output_path
from bot.cli.usage import UsageError
from bot.domain.cases import MAX_NOTE, Actor
from bot.domain.statuses import STATUSES
from bot.ids import parse_id
from bot.images import HEAD_BYTES, MAX_PHOTO_BYTES, sniff

DEFAULT_ACTOR = "agency (CLI)"
MAX_ACTOR_NAME = 64  # shown on every alert card as who made the last change
MAX_LIMIT = 1000
_REF = re.compile(r"^#?(\d{1,12})$")


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


def parse_ref(text: str, option: str = "report") -> int:
    match = _REF.match(text.strip())
    if match is None:
        raise UsageError(f"{option} {text!r} is not a reference: write a number such as 1042")
    return int(match.group(1))


def parse_status(text: str | None) -> str | None:
    if text is None:
        return None
    status = text.strip().lower()
    if status not in STATUSES:
        raise UsageError(f"unknown status {text!r}; valid: {', '.join(STATUSES)}")
    return status


def parse_limit(text: str) -> int:
    limit = parse_id(text.strip())
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit {text!r}: give a whole number from 1 to {MAX_LIMIT}")
    return limit


def export_request(args: argparse.Namespace) -> ExportRequest:
    ref = parse_ref(args.ref)
    output = Path(args.output) if args.output else None
    if output is not None:
        output_path(ref, output)  # refused before the database is opened
    return ExportRequest(ref, output)


def update_request(args: argparse.Namespace) -> UpdateRequest:
    ref = parse_ref(args.ref)
    status = parse_status(args.status)
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
