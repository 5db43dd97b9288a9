"""The staff list as files: CSV for spreadsheets, GeoJSON for maps and GIS tools
(``/staff/export.csv``, ``/staff/export.geojson``: the list's filters, no paging, at most
:data:`MAX_EXPORT` reports; the list's map reads the GeoJSON).

Why a module of its own: a CSV is opened by a spreadsheet, which runs a cell starting with
``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(…)`` in a citizen's description would
become a link on an officer's screen); :func:`cell` neutralises every text a citizen wrote.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.domain import privacy
from bot.http.staff_access import StaffAccess
from bot.http.staff_signin import StaffSignIn
from bot.http.staff_views import Staff
from bot.i18n import plain
from bot.outbox.renderers import category_label, overdue_hours
from bot.services import Services
from storage.reports import Report

MAX_EXPORT = 10_000

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_COLUMNS = [
    "id",
    "status",
    "category",
    "kelurahan_code",
    "kelurahan",
    "kecamatan",
    "kota",
    "lat",
    "lon",
    "created_at",
    "updated_at",
    "overdue",
    "supporters",
    "place",
    "address",
    "description",
    "privacy",
    "reporter_name",
    "reporter_username",
]


class ExportPages:
    def __init__(self, services: Services, sign_in: StaffSignIn, access: StaffAccess) -> None:
        self.services = services
        self.sign_in = sign_in
        self.access = access

    async def _exported(self, request: Request) -> tuple[Staff, list[Report]]:
        staff = await self.sign_in.staff(request)
        query = self.access.query(staff, self.access.filters(request))
        return staff, await self.services.store.reports.search(query, limit=MAX_EXPORT)

    async def export_csv(self, request: Request) -> Response:
        _, reports = await self._exported(request)
        return csv_export(self.services, reports)

    async def export_geojson(self, request: Request) -> Response:
        staff, reports = await self._exported(request)
        return geojson_export(self.services, reports, staff.language)


def _reporter(report: Report) -> tuple[str | None, str | None]:
    """Who filed it, for staff: nothing of an anonymous reporter (their row keeps nothing
    either; asked here too so an export never depends on that alone). No Telegram id: a file
    travels further than a page."""
    if not privacy.shows_reporter(report.visibility):
        return None, None
    return report.reporter_name, report.reporter_username


def cell(value: str) -> str:
    """A citizen's text that a spreadsheet would run as a formula is prefixed with an
    apostrophe, which spreadsheets show as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_export(services: Services, reports: list[Report]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_CSV_COLUMNS)
    for report in reports:
        area = services.areas.by_code.get(report.area_code or "")
        writer.writerow(
            [
                report.id,
                report.status,
                report.category_key,
                report.area_code or "",
                area.name if area else "",
                area.district if area else "",
                area.city if area else "",
                report.lat,
                report.lon,
                report.created_at,
                report.updated_at,
                "1" if overdue_hours(services, report) is not None else "0",
                report.supporters,
                cell(report.place_name or ""),
                cell(report.address or ""),
                cell(report.description),
                report.visibility,
                *(cell(part or "") for part in _reporter(report)),
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),  # the BOM tells spreadsheet programs it is UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="wargalapor.csv"'},
    )


def geojson_export(services: Services, reports: list[Report], language: str) -> Response:
    features = []
    for report in reports:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [report.lon, report.lat]},
                "properties": {
                    "id": report.id,
                    "status": report.status,
                    "status_name": plain(language, f"status.{report.status}"),
                    "category": report.category_key,
                    "category_name": category_label(services, report, language),
                    "kelurahan_code": report.area_code,
                    "created_at": report.created_at,
                    "updated_at": report.updated_at,
                    "overdue": overdue_hours(services, report) is not None,
                    "description": report.description,
                    "privacy": report.visibility,
                    "reporter_name": _reporter(report)[0],
                    "reporter_username": _reporter(report)[1],
                    "url": f"/staff/reports/{report.id}",
                },
            }
        )
    document: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    return Response(
        json.dumps(document, ensure_ascii=False),
        media_type="application/geo+json",
        headers={"Content-Disposition": 'attachment; filename="wargalapor.geojson"'},
    )
