"""mySociety's servicerequestupdates extension, as FixMyStreet's Open311 client uses it.

``GET servicerequestupdates.{fmt}?start_date&end_date`` lists every public change of a request,
oldest first: each status change, and each note or photo from staff, as a ``request_update``
with ``update_id`` (the change's own number), ``service_request_id``, ``status`` (mySociety's
word, :func:`bot.domain.statuses.mysociety_status`: new and reopened OPEN, acknowledged
INVESTIGATING, in progress IN_PROGRESS, resolved FIXED, closed CLOSED, rejected
NO_FURTHER_ACTION, duplicate DUPLICATE), ``description`` (the note, phone numbers hidden; a
citizen's own words are never there), ``updated_datetime`` and ``media_url`` (the staff's photo,
served like a request's). Dates and paging as ``GET requests`` (the last 90 days, 1,000 a page).
The reader is a request's: anonymous (rate-limited, no sensitive categories) or with a key — which
this route alone also takes as ``api_key`` in the query string, because FixMyStreet sends it
there (an empty one is anonymous). An agency's key lists its agency's reports' changes only,
and may post updates to those reports only (403 for others; 404, as for a missing one, for a
confidential report it is not responsible for).

``POST servicerequestupdates.{fmt}``: an agency's update in mySociety's shape
(``service_request_id``, ``status``, ``description``, ``media_url``, ``update_id``…), made as the
update API makes it (:mod:`bot.http.agency_updates`), answering the ``update_id`` of the change
(or of the latest one, when nothing changed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.domain import privacy
from bot.domain.statuses import mysociety_status
from bot.http import open311_params as params
from bot.http.agency_updates import apply_update, read_update
from bot.http.apikeys import report_to_update
from bot.http.common import read_body
from bot.http.errors import ApiError
from bot.http.open311_common import Open311Kit
from bot.http.open311_format import REQUEST_UPDATES, render
from bot.http.open311_requests import media_path
from bot.phones import hide_phones
from storage.public_reports import PublicUpdate


class UpdateRoutes:
    def __init__(self, kit: Open311Kit) -> None:
        self.kit = kit
        self.services = kit.services

    def fields(self, update: PublicUpdate) -> dict[str, Any]:
        if update.note:
            description = hide_phones(update.note)
        elif update.new_status == "duplicate" and update.duplicate_of:
            description = f"Duplicate of request {update.duplicate_of}"
        else:
            description = ""
        url = self.kit.public_url(media_path(update.photo_id)) if update.photo_id else None
        return {
            "update_id": str(update.event_id),
            "service_request_id": str(update.report_id),
            "status": mysociety_status(update.new_status),
            "description": description,
            "updated_datetime": self.kit.time(update.at),
            "media_url": url or "",
        }

    async def updates(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.post(request)
        fmt = self.kit.fmt(request)
        self.kit.check_jurisdiction(request)
        viewer = await self.kit.viewer(request, key_in_query=True)
        query = request.query_params
        window = params.window(query, self.services.settings.tz, datetime.now(UTC))
        page = params.page(query)
        restricted_categories, restricted_areas = viewer.restricted()
        found = await self.services.store.public_reports.updates(
            start=window.start,
            end=window.end,
            restricted_categories=restricted_categories,
            restricted_areas=restricted_areas,
            agencies=viewer.reach(),
            published=privacy.PUBLISHED,
            limit=page.size + 1,
            offset=page.offset,
        )
        headers = {}
        if len(found) > page.size:
            link = self._next_page(request, page.number + 1)
            headers["Link"] = f'<{link}>; rel="next"'
        rendered = [self.fields(update) for update in found[: page.size]]
        return render(fmt, REQUEST_UPDATES, rendered, headers=headers)

    def _next_page(self, request: Request, page: int) -> str:
        """As ``GET requests``' link, and without the key FixMyStreet put in the URL."""
        url = request.url.remove_query_params("api_key").include_query_params(page=page)
        return f"{self.services.settings.web_base_url or ''}{url.path}?{url.query}"

    async def post(self, request: Request) -> Response:
        fmt = self.kit.fmt(request)
        body = await read_body(request)
        self.kit.check_jurisdiction(request, body)
        key = await self.kit.writer(request, body)
        raw = (body.get("service_request_id") or "").strip()
        if not raw:
            raise ApiError(400, "service_request_id is required: the request to update")
        report = await report_to_update(self.services, key, raw)
        result, _ = await apply_update(self.services, key, report, read_update(body))
        event_id = result.event_id
        if event_id is None:  # nothing changed: the latest change stands for this one
            event_id = (await self.services.store.reports.events(report.id))[-1].id
        return render(fmt, REQUEST_UPDATES, [{"update_id": str(event_id)}])
