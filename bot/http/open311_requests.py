"""Service requests: ``GET requests.{fmt}``, ``GET requests/{id}.{fmt}``, ``POST requests.{fmt}``
and ``GET tokens/{token}.{fmt}``.

A request has every field of the specification: ``service_request_id`` (the report's reference),
``status`` (``open``: new, acknowledged, in progress, reopened; ``closed``: the rest),
``status_notes`` (the latest note from staff), ``service_name``, ``service_code``, ``description``,
``agency_responsible`` (the kelurahan, or the agency a hand-off gave it to), ``service_notice``
(the category's SLA), ``requested_datetime``, ``updated_datetime``, ``expected_datetime`` (the SLA
deadline: the clock's start, or the reopening, plus the category's hours), ``address``,
``address_id`` and ``zipcode`` (none here), ``lat``, ``long`` and ``media_url`` (the reporter's
first photo, served by :mod:`bot.http.open311_media` under ``WEB_BASE_URL``; else the link an
agency sent; else empty). Nothing about who filed it, and phone numbers typed in a text read
``[phone]``.

``GET requests``: newest first, filters in :mod:`bot.http.open311_params`. A POST files the
report at once (``realtime``: no token is ever issued, so ``tokens/{token}`` is always a 404)
and answers 201 with ``service_request_id``, ``service_notice`` and ``account_id``; it is
routed and alerted like a Telegram report (:mod:`bot.domain.intake`), and a key scoped to areas
gets 403 outside them. With an agency's key, ``GET requests`` lists that agency's reports only,
and ``GET requests/{id}`` of another report is a 404 (:mod:`bot.http.public_view`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.domain import privacy, statuses
from bot.domain.agencies import handles_category
from bot.domain.intake import AgencyReport, submit_agency_report
from bot.domain.statuses import open311_status
from bot.http import open311_params as params
from bot.http.apikeys import agency_of, require_scope
from bot.http.common import read_pairs
from bot.http.errors import ApiError
from bot.http.open311_common import BASE_PATH, Open311Kit
from bot.http.open311_format import SERVICE_REQUESTS, render
from bot.http.open311_forms import ServiceRequest, read_request
from bot.http.public_view import Viewer
from bot.ids import parse_id
from bot.owners import area_owner
from bot.phones import hide_phones
from storage.categories import Category
from storage.report_query import ReportQuery
from storage.reports import Report


def notice(category: Category) -> str:
    return f"Acknowledged within {category.sla_hours} hours"


def media_path(photo_id: int) -> str:
    return f"{BASE_PATH}/media/{photo_id}.jpg"


class RequestRenderer:
    """Reports as GeoReport v2 requests, as a reader may see them."""

    def __init__(self, kit: Open311Kit) -> None:
        self.kit = kit
        self.services = kit.services
        self.reports = kit.services.store.public_reports

    def fields(
        self, report: Report, note: str | None, media_url: str, owner: str | None = None
    ) -> dict[str, Any]:
        """One report in the specification's fields and order: nothing about who filed it.
        ``owner``: the agency a hand-off gave it to, named as ``agency_responsible`` instead of
        its kelurahan (bot/owners.py)."""
        kit, services = self.kit, self.services
        language = services.settings.default_language
        category = services.categories.get(report.category_key)
        area = services.areas.by_code.get(report.area_code or "")
        if report.status == statuses.WITHDRAWN:  # the reason is the reporter's, not public
            notes: str | None = "Withdrawn by the reporter before it was taken up"
        elif note:
            notes = hide_phones(note)
        elif report.status == "duplicate" and report.duplicate_of:
            notes = f"Duplicate of request {report.duplicate_of}"
        else:
            notes = None
        address = ", ".join(part for part in (report.place_name, report.address) if part)
        clock = datetime.fromisoformat(report.sla_started_at or report.created_at)
        return {
            "service_request_id": str(report.id),
            "status": open311_status(report.status),
            "status_notes": notes,
            "service_name": category.name(language) if category else report.category_key,
            "service_code": report.category_key,
            "description": hide_phones(report.description),
            "agency_responsible": owner or area_owner(area),
            "service_notice": notice(category) if category else None,
            "requested_datetime": kit.time(report.created_at),
            "updated_datetime": kit.time(report.updated_at),
            "expected_datetime": (
                kit.time((clock + timedelta(hours=category.sla_hours)).isoformat())
                if category
                else None
            ),
            "address": address or None,
            "address_id": None,
            "zipcode": None,
            "lat": report.lat,
            "long": report.lon,
            "media_url": media_url,
        }

    async def render(
        self, reports: list[Report], viewer: Viewer | None = None
    ) -> list[dict[str, Any]]:
        """Rendered as ``viewer`` may see them (None: the public)."""
        viewer = viewer or Viewer.of(None, self.services.categories)
        ids = [report.id for report in reports]
        notes = await self.reports.latest_notes(ids)
        photos = await self.reports.first_photos(ids)
        links = await self.services.store.request_details.media_urls(ids)
        owners = await self.services.store.agencies.names(
            sorted({report.agency_id for report in reports if report.agency_id is not None})
        )
        rendered = []
        for report in reports:
            photo = photos.get(report.id)
            url = self.kit.public_url(media_path(photo)) if photo is not None else None
            media_url = url or links.get(report.id) or ""
            rendered.append(
                viewer.shown(
                    report,
                    self.fields(
                        report,
                        notes.get(report.id),
                        media_url,
                        owners.get(report.agency_id) if report.agency_id else None,
                    ),
                )
            )
        return rendered


class RequestRoutes:
    def __init__(self, kit: Open311Kit, renderer: RequestRenderer) -> None:
        self.kit = kit
        self.renderer = renderer
        self.services = kit.services

    async def one(self, request: Request) -> Response:
        fmt = self.kit.fmt(request)
        self.kit.check_jurisdiction(request)
        viewer = await self.kit.viewer(request)
        raw = str(request.path_params["request_id"])
        number = parse_id(raw)
        reports = self.services.store.public_reports
        report = await reports.get(number, published=privacy.PUBLISHED) if number else None
        if report is None or not viewer.sees(report):
            raise ApiError(404, f"no service request {raw[:20]}")
        return render(fmt, SERVICE_REQUESTS, await self.renderer.render([report], viewer))

    async def requests(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.create(request)
        fmt = self.kit.fmt(request)
        self.kit.check_jurisdiction(request)
        viewer = await self.kit.viewer(request)
        restricted_categories, restricted_areas = viewer.restricted()
        reach = viewer.reach()
        query = request.query_params
        window = params.window(query, self.services.settings.tz, datetime.now(UTC))
        where = ReportQuery(
            area_codes=None if reach is None else (),  # an agency's key: its reports only
            agencies=reach or (),
            visibilities=privacy.PUBLISHED,
            restricted_categories=restricted_categories,
            restricted_areas=restricted_areas,
            ids=params.ids(query.get("service_request_id")),
            category_keys=params.service_codes(query.get("service_code"), self._services()),
            created_from=window.start,
            created_until=window.end,
            statuses=params.statuses(query.get("status")),
        )
        page = params.page(query)
        found = await self.services.store.reports.search(
            where, limit=page.size + 1, offset=page.offset
        )
        headers = {}
        if len(found) > page.size:
            headers["Link"] = f'<{self.next_page(request, page.number + 1)}>; rel="next"'
        rendered = await self.renderer.render(found[: page.size], viewer)
        return render(fmt, SERVICE_REQUESTS, rendered, headers=headers)

    def _services(self) -> dict[str, Category]:
        return {key: c for key, c in self.services.categories.items() if c.active}

    def next_page(self, request: Request, page: int) -> str:
        """From ``WEB_BASE_URL``, or relative: never from the client's ``Host`` header, which
        anyone can forge, and a cache in front might serve the forged link to everyone."""
        query = request.url.include_query_params(page=page).query
        return f"{self.services.settings.web_base_url or ''}{request.url.path}?{query}"

    async def create(self, request: Request) -> Response:
        fmt = self.kit.fmt(request)
        pairs = await read_pairs(request, lists=True)
        body = dict(pairs)
        self.kit.check_jurisdiction(request, body)
        key = await self.kit.writer(request, body)
        language = self.services.settings.default_language
        wanted = read_request(pairs, self.services.categories, language)
        lat, lon, address = await self._located(wanted)
        area = self.services.areas.locate(lat, lon)
        require_scope(key, area.code if area else None)
        agency = await agency_of(self.services, key)
        if agency is not None and not handles_category(agency, wanted.category.key, area):
            # Its key could not read the request back: filing it would hand the agency a case
            # it does not handle, so the client is told instead.
            raise ApiError(
                403,
                f"service_code {wanted.category.key} here is not handled by {agency.name}, "
                "this api_key's agency",
            )
        report_id = await submit_agency_report(
            self.services,
            AgencyReport(
                key.name,
                wanted.category.key,
                lat,
                lon,
                wanted.description,
                address,
                wanted.extras,
            ),
        )
        answer = {
            "service_request_id": str(report_id),
            "service_notice": notice(wanted.category),
            "account_id": wanted.extras.contact.account_id,
        }
        return render(fmt, SERVICE_REQUESTS, [answer], status=201)

    async def _located(self, wanted: ServiceRequest) -> tuple[float, float, str | None]:
        """The request's point: as sent, or ``address_string`` geocoded (``GEOCODER``)."""
        if wanted.lat is not None and wanted.lon is not None:
            return wanted.lat, wanted.lon, wanted.address
        assert wanted.address is not None
        place = await self.services.reporting.geocoder.search(wanted.address)
        if place is None:
            raise ApiError(
                400, "address_string could not be located here: send lat and long (WGS 84)"
            )
        return place.lat, place.lon, wanted.address

    async def token(self, request: Request) -> Response:
        self.kit.fmt(request)
        raise ApiError(
            404, "no such token: requests are created at once and answer service_request_id"
        )
