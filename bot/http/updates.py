"""``POST /api/v1/requests/{id}/updates``: an agency's system changes a case (an extension to
GeoReport v2, which has no write access to requests after creation).

Fields (form-encoded or JSON): ``api_key``; ``status`` — an internal status (``acknowledged``,
``in_progress``, ``resolved``, ``closed``, ``rejected``, ``duplicate``, ``reopened``) or an
Open311 one: ``closed`` resolves an open request and closes a resolved one, ``open`` reopens a
resolved one; ``note`` (up to 700 characters: the reason, required for ``rejected``);
``photo_url`` (http(s), kept as a link on its own line of the note: the bot fetches nothing);
``duplicate_of`` (with ``duplicate``). A note or photo_url without status adds a note. At least
one of status, note, photo_url.

Everything goes through :meth:`bot.domain.cases.CasesService.change_status` (or ``add_note``), named
after the key, so the reporter and followers get the same follow-up as for a button press.
Answers 200 with ``{"service_request_id", "status", "detailed_status", "status_notes",
"updated_datetime", "changed"}``; 409 when the status cannot follow the current one (the
description lists what can), 403 for a key scoped elsewhere, 404 for an unknown request.
An update asking for the status the request already has is accepted and changes nothing,
except that its note (if any) is added: a retried call does no harm.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.domain import statuses
from bot.domain.cases import MAX_NOTE, Actor, ChangeResult, Outcome
from bot.domain.statuses import SETTABLE
from bot.http.apikeys import require_key, require_scope
from bot.http.common import ApiError, read_body
from bot.http.open311 import Open311Api
from bot.ids import parse_id
from bot.services import Services
from storage.apikeys import ApiKey
from storage.reports import Report

MAX_URL = 500
_URL = re.compile(r"^https?://[^\s/]+\S*$")


class UpdatesApi:
    def __init__(self, services: Services, open311: Open311Api) -> None:
        self.services = services
        self.open311 = open311
        self.keys = services.store.api_keys

    def routes(self) -> list[BaseRoute]:
        return [Route("/api/v1/requests/{request_id}/updates", self.update, methods=["POST"])]

    async def update(self, request: Request) -> Response:
        body = await read_body(request)
        key = await require_key(self.keys, request, body)
        raw = request.path_params["request_id"]
        number = parse_id(raw)
        report = await self.services.store.reports.get(number) if number is not None else None
        if report is None:
            raise ApiError(404, f"no service request {raw}")
        require_scope(key, report.area_code)
        note = _note(body)
        wanted = (body.get("status") or "").strip().lower() or None
        duplicate_of = _duplicate_of(body, wanted)
        if wanted is None and note is None:
            raise ApiError(400, "nothing to update: give status, note or photo_url")
        actor = Actor("agency", None, key.name)
        status = _internal_status(report, wanted) if wanted else None
        cases = self.services.cases
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
                may_touch_original=lambda original: _within(key, original),
            )
            if result.outcome is Outcome.UNCHANGED and note:  # changed meanwhile by someone
                result = await cases.add_note(report.id, actor, note=note)
        _refuse(result, report.id, status)
        current = await self.services.store.reports.get(report.id)
        assert current is not None
        rendered = (await self.open311.render([current]))[0]
        return JSONResponse(
            {
                "service_request_id": rendered["service_request_id"],
                "status": rendered["status"],
                "detailed_status": current.status,
                "status_notes": rendered["status_notes"],
                "updated_datetime": rendered["updated_datetime"],
                "changed": result.outcome is Outcome.CHANGED,
            }
        )


def _note(body: dict[str, str]) -> str | None:
    note = (body.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        raise ApiError(400, f"note is {len(note)} characters long; at most {MAX_NOTE}")
    url = (body.get("photo_url") or "").strip()
    if url and (len(url) > MAX_URL or not _URL.match(url)):
        raise ApiError(400, f"photo_url must be an http(s) URL of at most {MAX_URL} characters")
    return "\n".join(part for part in (note, url) if part) or None


def _duplicate_of(body: dict[str, str], wanted: str | None) -> int | None:
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


def _internal_status(report: Report, wanted: str) -> str:
    """An Open311 word mapped onto the report's lifecycle; an internal status as it is."""
    if wanted == "open":
        if report.status in statuses.OPEN:
            return report.status
        return "reopened"  # allowed from resolved only: change_status says no otherwise
    if wanted == "closed" and report.status in statuses.OPEN:
        return "resolved"  # an open case is closed by resolving it (then the citizen confirms)
    if wanted == "closed" and report.status != "resolved":
        return report.status  # rejected, duplicate, closed: closed already in Open311 terms
    if wanted not in SETTABLE:
        raise ApiError(
            400, f"status {wanted!r} is not known; use open, closed or one of {', '.join(SETTABLE)}"
        )
    return wanted


async def _within(key: ApiKey, original: Report) -> bool:
    """The key's areas must cover the original too: a duplicate hands the reporter over."""
    return key.covers(original.area_code)


def _refuse(result: ChangeResult, report_id: int, status: str | None) -> None:
    outcome = result.outcome
    if outcome in (Outcome.CHANGED, Outcome.UNCHANGED):
        return
    if outcome is Outcome.NOT_FOUND:
        raise ApiError(404, f"no service request {report_id}")
    if outcome is Outcome.NOTE_REQUIRED:
        raise ApiError(400, "status rejected needs a note: the reason, for the reporter")
    if outcome is Outcome.BAD_DUPLICATE:
        raise ApiError(400, "duplicate_of must be another existing request")
    if outcome is Outcome.ORIGINAL_FORBIDDEN:
        raise ApiError(403, "this api_key may not act on duplicate_of, outside its areas")
    current = result.report.status if result.report else "?"
    allowed = statuses.moves(current, "agency")
    can = f"it can become: {', '.join(allowed)}" if allowed else "its status is final"
    raise ApiError(409, f"request {report_id} is {current} and cannot become {status}; {can}")
