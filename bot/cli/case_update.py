"""``case update``: a status change, a note or a photo, made as a group button would make it.

Why through :class:`bot.domain.cases.CasesService`: same transitions, same event row, same
follow-ups as a button press. This process never talks to Telegram; the follow-ups are outbox
rows that the running bot picks up within ``OUTBOX_POLL_SECONDS`` (there is no bot here to
wake), or as soon as it starts. A photo is copied next to the database, where the bot can read
it, and removed again when the change did not happen.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.case_args import PhotoFile, UpdateRequest
from bot.cli.case_read import one_line
from bot.cli.usage import UsageError
from bot.domain import statuses
from bot.domain.cases import ChangeResult, Outcome, anywhere
from storage.files import copy_private, private_dir
from storage.photos import PhotoRef

if TYPE_CHECKING:
    from bot.services import Services


def store_photo(database_path: Path, photo: PhotoFile) -> tuple[Path, PhotoRef]:
    """Copy next to the database, where the bot process can read it until its first upload."""
    from bot.outbox.citizen_senders import (
        LOCAL_PHOTO_PREFIX,  # imports Telegram: not for every CLI command
    )

    folder = database_path.resolve().parent / "uploads"
    private_dir(folder)  # owner-only, like the database (storage/files.py)
    name = uuid.uuid4().hex
    target = folder / f"{name}{photo.extension}"
    copy_private(photo.path, target)
    return target, PhotoRef(f"{LOCAL_PHOTO_PREFIX}{target}", f"{LOCAL_PHOTO_PREFIX}{name}")


async def update(services: Services, request: UpdateRequest) -> None:
    if await services.store.reports.get(request.ref) is None:
        raise UsageError(f"report #{request.ref} not found")
    copy: Path | None = None
    photo: PhotoRef | None = None
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
        allowed = statuses.moves(current, request.actor.kind)
        if not allowed:
            return f"report #{ref} is {current}, a final status; only a note can be added"
        return (
            f"report #{ref} is {current}; it cannot become {request.status},"
            f" only: {', '.join(allowed)}"
        )
    if result.outcome is Outcome.NOTE_REQUIRED:
        return "--status rejected needs the reason for the reporter in --note"
    if result.outcome is Outcome.PHOTO_REQUIRED:
        category = result.report.category_key if result.report else "its"
        return (
            f"report #{ref} is in category {category}, which is resolved only with an"
            f' "after" photo: add --photo PATH (a JPEG, PNG or WebP of the fixed problem)'
        )
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
