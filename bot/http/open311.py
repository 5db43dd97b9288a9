"""Open311 GeoReport v2 at ``/open311/v2``: categories as services, reports as service requests.

Routes (JSON only; the ``.xml`` forms of the specification are not offered):

- ``GET services.json`` — every category: ``service_code`` (its key), ``service_name``,
  ``description``, ``metadata`` (false: no extra attributes), ``type`` (realtime), ``keywords``,
  ``group``.
- ``GET services/{service_code}.json`` — the service definition: the same fields, and
  ``attributes: []``; 404 for an unknown code.
- ``GET requests.json`` — newest first. Filters: ``service_request_id`` (comma list, up to 100;
  overrides the others, as the specification says), ``service_code``, ``start_date`` and
  ``end_date`` (ISO 8601; a date alone or a time without offset is read in ``TIMEZONE``),
  ``status`` (``open``, ``closed`` or both, comma-separated). Paging, an extension:
  ``page_size`` (1–100, default 50) and ``page`` (from 1); a ``Link: <…>; rel="next"`` header
  when there is more. ``jurisdiction_id`` is accepted and ignored.
- ``GET requests/{id}.json`` — one request, as a list of one; 404 when unknown.
- ``POST requests.json`` — form-encoded or JSON: ``api_key``, ``service_code``, ``lat``,
  ``long``, ``description`` (10–1,000 characters), optional ``address_string``; ``media_url`` is
  ignored (the bot never fetches remote files). Answers 201 with
  ``[{"service_request_id", "service_notice", "account_id"}]``. The report is routed and alerted
  like a Telegram one (:mod:`bot.domain.intake`); a key scoped to areas gets 403 outside them.

Request fields: ``service_request_id`` (the report's reference, as text), ``status`` (``open``
for new/acknowledged/in_progress/reopened, ``closed`` for the rest), ``status_notes`` (the
latest note from staff), ``service_name``, ``service_code``, ``description``,
``agency_responsible`` (the kelurahan: "Kel. X, Kec. Y, Kota"), ``service_notice``,
``requested_datetime``, ``updated_datetime``, ``expected_datetime`` (filed + the category's SLA
hours), ``address``, ``lat``, ``long``, ``media_url`` (always empty: Telegram file ids are not
URLs). Times are ISO 8601 in ``TIMEZONE``. The citizen's identity is never in a response, and
phone numbers typed into a description or note read ``[phone]``.

Reads take an optional key (``X-API-Key`` header): without one, points are rounded and sensitive
categories left out (:mod:`bot.http.public_view`), and each client address may make
``OPEN311_PUBLIC_RATE_PER_MINUTE`` request reads a minute (:mod:`bot.http.throttle`); past that,
429 with ``Retry-After``. Key holders are not limited.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot.domain.intake import AgencyReport, submit_agency_report
from bot.domain.reporting import MAX_DESCRIPTION, MIN_DESCRIPTION
from bot.domain.statuses import OPEN311, open311_status
from bot.http.apikeys import require_key, require_scope
from bot.http.common import ApiError, error_response, read_body
from bot.http.public_view import Viewer, optional_key
from bot.http.throttle import TokenBuckets, client_address, retry_after
from bot.ids import parse_id
from bot.phones import hide_phones
from bot.services import Services
from storage.categories import Category
from storage.report_query import ReportQuery
from storage.reports import Report

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
MAX_IDS = 100
MAX_ADDRESS = 200
_OFFSET_SPACE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def redact(text: str) -> str:
    """Citizens sometimes type their phone number into a description: not for the public."""
    return hide_phones(text)


class Open311Api:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.reports = services.store.public_reports
        self.keys = services.store.api_keys
        self.buckets = TokenBuckets(services.settings.open311_public_rate_per_minute)

    def routes(self) -> list[BaseRoute]:
        return [
            Mount(
                "/open311/v2",
                routes=[
                    Route("/services.json", self.list_services, methods=["GET"]),
                    Route("/services/{service_code}.json", self.service_definition),
                    Route("/requests.json", self.requests, methods=["GET", "POST"]),
                    Route("/requests/{request_id}.json", self.one_request, methods=["GET"]),
                ],
            )
        ]

    # Services ---------------------------------------------------------------------------

    def _service(self, category: Category) -> dict[str, Any]:
        language = self.services.settings.default_language
        other = "en" if language == "id" else "id"
        return {
            "service_code": category.key,
            "service_name": category.name(language),
            "description": (
                f"{category.name(language)} / {category.name(other)}. {self._notice(category)}."
            ),
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(
                dict.fromkeys(name.lower() for name in (category.name_id, category.name_en))
            ),
            "group": None,
        }

    @staticmethod
    def _notice(category: Category) -> str:
        return f"Acknowledged within {category.sla_hours} hours"

    def _categories(self) -> list[Category]:
        return sorted(
            (c for c in self.services.categories.values() if c.active), key=lambda c: c.position
        )

    async def list_services(self, _request: Request) -> Response:
        return JSONResponse([self._service(category) for category in self._categories()])

    async def service_definition(self, request: Request) -> Response:
        category = self.services.categories.get(request.path_params["service_code"])
        if category is None or not category.active:
            raise ApiError(404, "unknown service_code")
        return JSONResponse({**self._service(category), "attributes": []})

    # Requests ---------------------------------------------------------------------------

    def _time(self, iso: str) -> str:
        return datetime.fromisoformat(iso).astimezone(self.services.settings.tz).isoformat()

    async def _viewer(self, request: Request) -> Viewer | Response:
        """Who reads, or the 429 for an anonymous client over its rate."""
        viewer = Viewer.of(await optional_key(self.keys, request), self.services.categories)
        if viewer.anonymous:
            client = client_address(request, self.services.settings.trusted_proxies)
            wait = self.buckets.take(client)
            if wait is not None:
                refused = error_response(429, "too many requests; retry later or use an api_key")
                refused.headers["Retry-After"] = retry_after(wait)
                return refused
        return viewer

    def service_request(self, report: Report, note: str | None) -> dict[str, Any]:
        """One report in GeoReport v2 fields: nothing about who filed it."""
        language = self.services.settings.default_language
        category = self.services.categories.get(report.category_key)
        area = self.services.areas.by_code.get(report.area_code or "")
        created = datetime.fromisoformat(report.created_at)
        if note:
            notes: str | None = redact(note)
        elif report.status == "duplicate" and report.duplicate_of:
            notes = f"Duplicate of request {report.duplicate_of}"
        else:
            notes = None
        address = ", ".join(part for part in (report.place_name, report.address) if part)
        return {
            "service_request_id": str(report.id),
            "status": open311_status(report.status),
            "status_notes": notes,
            "service_name": category.name(language) if category else report.category_key,
            "service_code": report.category_key,
            "description": redact(report.description),
            "agency_responsible": (
                f"Kel. {area.name}, Kec. {area.district}, {area.city}" if area else None
            ),
            "service_notice": self._notice(category) if category else None,
            "requested_datetime": self._time(report.created_at),
            "updated_datetime": self._time(report.updated_at),
            "expected_datetime": (
                self._time((created + timedelta(hours=category.sla_hours)).isoformat())
                if category
                else None
            ),
            "address": address or None,
            "lat": report.lat,
            "long": report.lon,
            "media_url": "",
        }

    async def render(
        self, reports: list[Report], viewer: Viewer | None = None
    ) -> list[dict[str, Any]]:
        """Rendered as ``viewer`` may see them (None: the public)."""
        viewer = viewer or Viewer.of(None, self.services.categories)
        notes = await self.reports.latest_notes([report.id for report in reports])
        return [
            viewer.shown(report, self.service_request(report, notes.get(report.id)))
            for report in reports
        ]

    async def one_request(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        if isinstance(viewer, Response):
            return viewer
        raw = request.path_params["request_id"]
        number = parse_id(raw)
        report = await self.reports.get(number) if number is not None else None
        if report is None or not viewer.sees(report):
            raise ApiError(404, f"no service request {raw}")
        return JSONResponse(await self.render([report], viewer))

    async def requests(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.create(request)
        viewer = await self._viewer(request)
        if isinstance(viewer, Response):
            return viewer
        restricted_categories, restricted_areas = viewer.restricted()
        query = request.query_params
        where = ReportQuery(
            public_only=True,
            restricted_categories=restricted_categories,
            restricted_areas=restricted_areas,
            ids=_ids(query.get("service_request_id")),
            category_key=self._service_code(query.get("service_code")),
            created_from=self._date(query, "start_date", end=False),
            created_until=self._date(query, "end_date", end=True),
            statuses=_statuses(query.get("status")),
        )
        if (
            where.created_from is not None
            and where.created_until is not None
            and where.created_from > where.created_until
        ):
            raise ApiError(400, "start_date is after end_date")
        page_size = _bounded(query, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        page = _bounded(query, "page", 1, MAX_PAGE)
        found = await self.services.store.reports.search(
            where, limit=page_size + 1, offset=(page - 1) * page_size
        )
        headers = {}
        if len(found) > page_size:
            headers["Link"] = f'<{self._next_page(request, page + 1)}>; rel="next"'
        return JSONResponse(await self.render(found[:page_size], viewer), headers=headers)

    def _next_page(self, request: Request, page: int) -> str:
        """From ``WEB_BASE_URL``, or relative: never from the client's ``Host`` header, which
        anyone can forge, and a cache in front might serve the forged link to everyone."""
        query = request.url.include_query_params(page=page).query
        return f"{self.services.settings.web_base_url or ''}{request.url.path}?{query}"

    def _service_code(self, code: str | None) -> str | None:
        if code is None or code == "":
            return None
        category = self.services.categories.get(code.strip())
        if category is None:
            raise ApiError(400, f"unknown service_code {code!r}; see services.json")
        return category.key

    def _date(self, query: Any, name: str, *, end: bool) -> str | None:
        """ISO 8601 as stored (UTC text). A date alone covers that whole local day."""
        raw = (query.get(name) or "").strip()
        if not raw:
            return None
        try:
            # An unescaped "+07:00" in a query string arrives as " 07:00".
            moment = datetime.fromisoformat(_OFFSET_SPACE.sub(r"\1+\2", raw))
        except ValueError:
            raise ApiError(
                400, f"{name} {raw!r} is not ISO 8601, e.g. 2026-11-03T08:00:00+07:00"
            ) from None
        if len(raw) == 10 and end:  # 2026-11-03: until the end of that day
            moment = datetime.combine(moment.date(), time.max)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.services.settings.tz)
        try:
            return moment.astimezone(UTC).isoformat(timespec="seconds")
        except (OverflowError, ValueError):  # 0001-01-01T00:00+14:00 is in year 0 in UTC
            raise ApiError(400, f"{name} {raw!r} is outside the years 0001 to 9999") from None

    # Creating ---------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        body = await read_body(request)
        key = await require_key(self.keys, request, body)
        category_key = self._service_code(body.get("service_code"))
        if category_key is None:
            raise ApiError(400, "service_code is required; see services.json")
        lat = _coordinate(body, "lat", 90)
        lon = _coordinate(body, "long", 180)
        description = (body.get("description") or "").strip()
        if not MIN_DESCRIPTION <= len(description) <= MAX_DESCRIPTION:
            raise ApiError(
                400,
                f"description must be {MIN_DESCRIPTION} to {MAX_DESCRIPTION} characters"
                f" (got {len(description)})",
            )
        address = " ".join((body.get("address_string") or "").split()) or None
        if address is not None and len(address) > MAX_ADDRESS:
            raise ApiError(400, f"address_string is over {MAX_ADDRESS} characters")
        area = self.services.areas.locate(lat, lon)
        require_scope(key, area.code if area else None)
        report_id = await submit_agency_report(
            self.services,
            AgencyReport(key.name, category_key, lat, lon, description, address),
        )
        category = self.services.categories[category_key]
        return JSONResponse(
            [
                {
                    "service_request_id": str(report_id),
                    "service_notice": self._notice(category),
                    "account_id": None,
                }
            ],
            status_code=201,
        )


def _ids(raw: str | None) -> tuple[int, ...] | None:
    if raw is None or not raw.strip():
        return None
    parts = [part.strip().lstrip("#") for part in raw.split(",") if part.strip()]
    if not all(parse_id(part) is not None for part in parts):
        raise ApiError(400, "service_request_id must be request ids separated by commas")
    if len(parts) > MAX_IDS:
        raise ApiError(400, f"at most {MAX_IDS} service_request_id at once")
    return tuple(dict.fromkeys(int(part) for part in parts))


def _statuses(raw: str | None) -> tuple[str, ...] | None:
    if raw is None or not raw.strip():
        return None
    wanted = [part.strip().lower() for part in raw.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in OPEN311]
    if unknown:
        raise ApiError(400, f"status {unknown[0]!r} is not known; use open or closed")
    return tuple(status for name in dict.fromkeys(wanted) for status in OPEN311[name])


def _bounded(query: Any, name: str, default: int, highest: int) -> int:
    raw = (query.get(name) or "").strip()
    if not raw:
        return default
    number = parse_id(raw)
    if number is None or not 1 <= number <= highest:
        raise ApiError(400, f"{name} must be a whole number from 1 to {highest}")
    return number


def _coordinate(body: dict[str, str], name: str, limit: float) -> float:
    raw = (body.get(name) or "").strip()
    if not raw:
        raise ApiError(400, f"{name} is required (decimal degrees, WGS 84)")
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} {raw!r} is not a number") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise ApiError(400, f"{name} {raw} is outside -{limit:g}..{limit:g}")
    return value
