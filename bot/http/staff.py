"""Staff pages at ``/staff``: officers and admins see, filter, export and move their reports.

Routes: ``GET /staff`` (filters ``status``, ``category``, ``area``, ``overdue=1``; ``page``),
``GET /staff/reports/{id}``, ``POST /staff/reports/{id}/status`` (``csrf``, ``status``,
``note``, ``duplicate_of``, ``photo``), ``POST /staff/reports/{id}/note`` (``csrf``, ``note``,
``photo``; both forms ``multipart/form-data`` or plain), ``GET /staff/photos/{file_id}``,
``GET /staff/export.csv`` and ``/staff/export.geojson`` (the list's filters, no paging),
``GET /staff/login?token=…``, ``POST /staff/logout``. Every page is Indonesian unless
``?lang=en`` or the person chose English in the bot.

This module only assembles them; each job has its own module:

- :mod:`bot.http.staff_signin` — the one-time link, the session cookie, logout, who is asking;
- :mod:`bot.http.staff_access` — which reports that person may see and move, the filters;
- :mod:`bot.http.staff_pages` — the list, one report, the forms' answers;
- :mod:`bot.http.staff_upload` — forms with a photo: read within bounds, cleaned, kept;
- :mod:`bot.http.staff_exports` — the list as CSV and GeoJSON;
- :mod:`bot.http.staff_photos` — report photos from Telegram, cached in memory;
- :mod:`bot.http.staff_views` and :mod:`bot.http.staff_forms` — the HTML, rendered from what
  the others decided;
- :mod:`bot.http.staff_guard` — refusals as pages, security headers (CSP), the CSRF check.

``/staff/static`` serves Leaflet (vendored) and the pages' own script and stylesheet.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from telegram import Bot

from bot.http.staff_access import StaffAccess
from bot.http.staff_exports import ExportPages
from bot.http.staff_guard import SECURITY_HEADERS, Handler, guard
from bot.http.staff_pages import ReportPages
from bot.http.staff_photos import PhotoFetcher, PhotoPages
from bot.http.staff_signin import COOKIE, LOGIN_VALID_FOR, StaffSignIn, web_base_url
from bot.services import Services

# handlers/weblogin.py (the /weblogin command) imports the sign-in link's lifetime and the base
# URL from here, its one entry into the staff pages.
__all__ = ["COOKIE", "LOGIN_VALID_FOR", "STATIC_DIR", "StaffPages", "StaticAssets", "web_base_url"]

STATIC_DIR = Path(__file__).resolve().parent / "static"


class StaticAssets(StaticFiles):
    """``/staff/static``: Leaflet and the pages' own script and stylesheet, with the pages'
    security headers; revalidated on every use (ETag), so a new release shows at once."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-cache"
        return response


class StaffPages:
    def __init__(self, services: Services, bot: Bot | None = None) -> None:
        """``bot``: the running application's, for photos (without it they answer 503)."""
        self.services = services
        self.sign_in = StaffSignIn(services, bot)
        access = StaffAccess(services)
        self.pages = ReportPages(services, self.sign_in, access)
        self.exports = ExportPages(services, self.sign_in, access)
        cache_bytes = int(services.settings.staff_photo_cache_mb * 1024 * 1024)
        self.photos = PhotoFetcher(bot, cache_bytes, kept=services.evidence.original)
        self.photo_pages = PhotoPages(self.sign_in, access, self.photos)

    def routes(self) -> list[BaseRoute]:
        language = self.services.settings.default_language

        def page(path: str, handler: Handler, method: str = "GET") -> Route:
            return Route(path, guard(handler, language), methods=[method])

        return [
            page("/staff", self.pages.report_list),
            page("/staff/login", self.sign_in.login),
            page("/staff/logout", self.sign_in.logout, "POST"),
            page("/staff/reports/{report_id}", self.pages.detail),
            page("/staff/reports/{report_id}/status", self.pages.change, "POST"),
            page("/staff/reports/{report_id}/note", self.pages.note, "POST"),
            page("/staff/photos/{file_id}", self.photo_pages.photo),
            page("/staff/export.csv", self.exports.export_csv),
            page("/staff/export.geojson", self.exports.export_geojson),
            Mount("/staff/static", StaticAssets(directory=STATIC_DIR), name="staff-static"),
        ]
