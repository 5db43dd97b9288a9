"""An agency's system changing a case: the fields it sends, read once, and the change made,
for both routes that take one (``POST /api/v1/requests/{id}/updates`` and mySociety's
``POST /open311/v2/servicerequestupdates.{fmt}``).

Fields: ``status`` — a status of ours (``acknowledged``, ``in_progress``, ``resolved``,
``closed``, ``rejected``, ``duplicate``, ``reopened``), Open311's ``open``/``closed`` (``closed``
resolves an open request and closes a resolved one, ``open`` reopens a resolved one), or one of
mySociety's words in capitals (:data:`bot.domain.statuses.FROM_MYSOCIETY`: ``FIXED`` resolves,
``INVESTIGATING`` and ``ACTION_SCHEDULED`` acknowledge, ``NO_FURTHER_ACTION`` and
``NOT_COUNCILS_RESPONSIBILITY`` reject, ``INTERNAL_REFERRAL`` is a note); ``note`` or
mySociety's ``description`` (up to 700 characters: the reason, required for a rejection);
``photo_url`` or ``media_url`` (http(s), kept as a link on its own line of the note: the bot
fetches nothing); ``duplicate_of`` (with a duplicate). A note or a link without a status adds a
note. mySociety's ``update_id``, ``updated_datetime`` and the person's names are accepted and
not kept (the change is stamped when it is made, and named after the key).

Everything goes through :meth:`bot.domain.cases.CasesService.change_status` (or ``add_note``),
so the reporter and followers get the same follow-up as for a button press. An update asking
for the status the request already has changes nothing but adds its note: a retried call does no
harm. 409 when the status cannot follow the current one (the description lists what can).

Resolving (``resolved``, ``closed`` of an open request, ``FIXED``) a request whose service needs
an "after" photo (``resolve_photo = "required"``) is a 400 unless staff attached one since it
was last reopened: the bot fetches nothing, so a ``photo_url`` is a link, not a photo.

A ``duplicate_of`` naming a confidential report the key is not responsible for is answered as
one naming no report (400 "another existing request"): its number must tell nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain import statuses
from bot.domain.agencies import key_knows, key_reaches
from bot.domain.cases import MAX_NOTE, Actor, ChangeResult, Outcome
from bot.domain.statuses import FROM_MYSOCIETY, SETTABLE
from bot.http.apikeys import missing
from bot.http.errors import ApiError
from bot.ids import parse_id
from bot.services import Services
from storage.apikeys import ApiKey
from storage.reports import Report

MAX_URL = 500
_URL = re.compile(r"^https?://[^\s/]+\S*$")


@dataclass(frozen=True)
class UpdateAsked:
    """``status``: ours, or ``open``/``closed``; None: a note only."""

    status: str | None
    note: str | None
    duplicate_of: int | None


def read_update(body: Mapping[str, str]) -> UpdateAsked:
    raw = (body.get("status") or "").strip()
    # mySociety's words are capitals; ours are lower case
    wanted = FROM_MYSOCIETY[raw] if raw in FROM_MYSOCIETY else raw.lower() or None
    note = _note(body)
    if wanted is None and note is None:
        if raw:
            raise ApiError(400, f"status {raw} changes nothing here: give a note (description)")
        raise ApiError(400, "nothing to update: give status, note or photo_url")
    return UpdateAsked(wanted, note, _duplicate_of(body, wanted))


def _note(body: Mapping[str, str]) -> str | None:
    note = (body.get("note") or body.get("description") or "").strip()
    if len(note) > MAX_NOTE:
        raise ApiError(400, f"note is {len(note)} characters long; at most {MAX_NOTE}")
    url = (body.get("photo_url") or body.get("media_url") or "").strip()
    if url and (len(url) > MAX_URL or not _URL.match(url)):
        raise ApiError(400, f"photo_url must be an http(s) URL of at most {MAX_URL} characters")
    return "\n".join(part for part in (note, url) if part) or None


def _duplicate_of(body: Mapping[str, str], wanted: str | None) -> int | None:
    raw = (body.get("duplicate_of") or "").strip().lstrip("#")
    if not raw:
        if wanted == "duplicate":
            raise ApiError(400, "status duplicate needs duplicate_of, the original request")
        return None
    if wanted != "duplicate":
        raise ApiError(400, "duplicate_of goes with status duplicate only")
    original = parse_id(raw)
    if original is None:
        raise ApiError(400, "duplicate_of must be a request id")
    return original


def internal_status(report: Report, wanted: str) -> str:
    """An Open311 word mapped onto the report's lifecycle; a status of ours as it is."""
    if wanted == "open":
        if report.status in statuses.OPEN:
            return report.status
        return "reopened"  # allowed from resolved only: change_status says no otherwise
    if wanted == "closed" and report.status in statuses.OPEN:
        return "resolved"  # an open case is closed by resolving it (then the citizen confirms)
    if wanted == "closed" and report.status != "resolved":
        return report.status  # rejected, duplicate, closed: closed already in Open311 terms
    if wanted == statuses.ACKNOWLEDGED and report.status == statuses.IN_PROGRESS:
        return report.status  # "investigating" of a case in progress: no step back
    if wanted not in SETTABLE:
        raise ApiError(
            400,
            f"status {wanted[:40]!r} is not known; use open, closed, one of"
            f" {', '.join(SETTABLE)}, or mySociety's {', '.join(statuses.MYSOCIETY_STATUSES)}",
        )
    return wanted


async def apply_update(
    services: Services, key: ApiKey, report: Report, asked: UpdateAsked
) -> tuple[ChangeResult, Report]:
    """Make the change (or add the note) as ``key``'s agency; the result and the report now."""
    actor = Actor("agency", None, key.name)
    status = internal_status(report, asked.status) if asked.status else None
    cases = services.cases
    store, by_code = services.store, services.areas.by_code
    duplicate_of = asked.duplicate_of
    original = await store.reports.get(duplicate_of) if duplicate_of else None
    if original is not None and not await key_knows(store, by_code, key, original):
        duplicate_of = None  # a confidential original not the key's: as if there were none
    note = asked.note
    if status is None or status == report.status:
        result = (
            await cases.add_note(report.id, actor, note=note)
            if note
            else ChangeResult(Outcome.UNCHANGED, report)
        )
    else:
        result = await cases.change_status(
            report.id,
            status,
            actor,
            note=note,
            duplicate_of=duplicate_of,
            may_touch_original=lambda original: key_reaches(store, by_code, key, original),
        )
        if result.outcome is Outcome.UNCHANGED and note:  # changed meanwhile by someone
            result = await cases.add_note(report.id, actor, note=note)
    _refuse(result, report.id, status)
    current = await services.store.reports.get(report.id)
    assert current is not None
    return result, current


def _refuse(result: ChangeResult, report_id: int, status: str | None) -> None:
    outcome = result.outcome
    if outcome in (Outcome.CHANGED, Outcome.UNCHANGED):
        return
    if outcome is Outcome.NOT_FOUND:
        raise missing(str(report_id))
    if outcome is Outcome.NOTE_REQUIRED:
        raise ApiError(400, "status rejected needs a note: the reason, for the reporter")
    if outcome is Outcome.PHOTO_REQUIRED:
        service = result.report.category_key if result.report else "this service"
        raise ApiError(
            400,
            f"request {report_id} ({service}) is resolved only with an after photo, and this API"
            " attaches none (photo_url stays a link in the note): attach the photo from the"
            " officers' group, the staff pages or `python -m bot case update"
            f" {report_id} --photo PATH`, then resolve",
        )
    if outcome is Outcome.BAD_DUPLICATE:
        raise ApiError(400, "duplicate_of must be another existing request")
    if outcome is Outcome.ORIGINAL_FORBIDDEN:
        raise ApiError(403, "this api_key may not act on duplicate_of: not within its reach")
    current = result.report.status if result.report else "?"
    allowed = statuses.moves(current, "agency")
    can = f"it can become: {', '.join(allowed)}" if allowed else "its status is final"
    raise ApiError(409, f"request {report_id} is {current} and cannot become {status}; {can}")
