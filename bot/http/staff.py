"""Staff pages at ``/staff``: officers and admins see, filter, export and move their reports.

Sign-in has no password: ``/weblogin`` in a private chat sends a one-time link
(``/staff/login?token=…``, 10 minutes) that opens a 12-hour session cookie (HttpOnly,
SameSite=Lax, Secure when ``WEB_BASE_URL`` is https). Sessions are stored hashed
(:mod:`storage.web_sessions`). What a session may see is worked out on every request: admins
everything, officers the kelurahan of their scopes (read from the ``officers`` table, so a
removed officer loses access at once). Administrators of a linked group, officers there for the
group buttons, are not recognised here: the web has no group chat to ask Telegram about.

Routes: ``GET /staff`` (filters ``status``, ``category``, ``area``, ``overdue=1``; ``page``),
``GET /staff/reports/{id}``, ``POST /staff/reports/{id}/status`` (``csrf``, ``status``,
``note``, ``duplicate_of``), ``GET /staff/photos/{file_id}``, ``GET /staff/export.csv`` and
``/staff/export.geojson`` (the list's filters, no paging), ``POST /staff/logout``. Every page
is Indonesian unless ``?lang=en`` or the person chose English in the bot.

Status changes go through :meth:`bot.domain.cases.CasesService.change_status`, with the moves the
group buttons offer (acknowledge, in progress, resolve, reject with a note, duplicate), so the
reporter and followers get the same follow-up. Forms carry a CSRF token derived from the
session (an HMAC of its secret), checked with a constant-time compare. Headers, the CSP and the
CSRF check live in :mod:`bot.http.staff_guard`, the HTML in :mod:`bot.http.staff_views`, photos
in :mod:`bot.http.staff_photos`, the CSV/GeoJSON files in :mod:`bot.http.staff_exports`;
``/staff/static`` serves Leaflet (vendored) and the pages' own script and stylesheet.
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from telegram import Bot

from bot.config import Settings
from bot.domain import statuses
from bot.domain.cases import Actor, Outcome
from bot.geo.directory import scopes_of
from bot.http.staff_exports import csv_export, geojson_export
from bot.http.staff_guard import (
    SECURITY_HEADERS,
    Handler,
    PageError,
    guard,
    read_form,
)
from bot.http.staff_photos import PhotoFetcher
from bot.http.staff_views import MAX_NOTE, Filters, Staff, StaffViews
from bot.http.templates import (
    Header,
    esc,
    layout,
    link,
    map_block,
    message_page,
    text,
)
from bot.i18n import LANGUAGES, plain
from bot.ids import parse_id
from bot.services import Services
from storage.report_query import ReportQuery
from storage.reports import Report
from storage.web_sessions import WebSessionRepository

LOGIN_VALID_FOR = timedelta(minutes=10)
SESSION_VALID_FOR = timedelta(hours=12)
COOKIE = "wl_staff"
PAGE_SIZE = 25
MAX_PAGE = 100_000
MAX_EXPORT = 10_000
STATIC_DIR = Path(__file__).resolve().parent / "static"


def web_base_url(settings: Settings) -> str | None:
    """``WEB_BASE_URL``, else the HTTP server's own address; None when the server is off."""
    if settings.web_base_url:
        return settings.web_base_url
    if settings.http_port is None:
        return None
    host = settings.http_host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.http_port}"


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
        self.sessions = WebSessionRepository(services.store.db)
        self.views = StaffViews(services)
        cache_bytes = int(services.settings.staff_photo_cache_mb * 1024 * 1024)
        self.photos = PhotoFetcher(bot, cache_bytes)

    def routes(self) -> list[BaseRoute]:
        language = self.services.settings.default_language

        def page(path: str, handler: Handler, method: str = "GET") -> Route:
            return Route(path, guard(handler, language), methods=[method])

        return [
            page("/staff", self.report_list),
            page("/staff/login", self.login),
            page("/staff/logout", self.logout, "POST"),
            page("/staff/reports/{report_id}", self.detail),
            page("/staff/reports/{report_id}/status", self.change, "POST"),
            page("/staff/photos/{file_id}", self.photo),
            page("/staff/export.csv", self.export_csv),
            page("/staff/export.geojson", self.export_geojson),
            Mount("/staff/static", StaticAssets(directory=STATIC_DIR), name="staff-static"),
        ]

    # Who is asking ----------------------------------------------------------------------

    async def _staff(self, request: Request) -> Staff:
        token = request.cookies.get(COOKIE, "")
        session = await self.sessions.session(token, self.services.clock.now()) if token else None
        if session is None:
            raise PageError(401, "no_session")
        wanted = request.query_params.get("lang", "")
        if wanted in LANGUAGES:
            language = wanted
        else:
            citizen = await self.services.store.citizens.get(session.user_id)
            language = citizen.language if citizen else self.services.settings.default_language
        admin = session.user_id in self.services.settings.admin_user_ids
        codes: tuple[str, ...] | None = None
        if not admin:
            scopes = set(await self.services.store.officers.scopes_of(session.user_id))
            if not scopes:
                raise PageError(403, "not_staff")
            codes = tuple(
                area.code
                for area in self.services.areas.areas
                if any(scope in scopes for scope in scopes_of(area))
            )
        name = session.user_name or str(session.user_id)
        return Staff(session.user_id, name, admin, codes, language, token)

    def _header(self, staff: Staff) -> Header:
        if staff.area_codes is None:
            areas = None
        else:
            names = [self.services.areas.by_code[code].name for code in staff.area_codes[:6]]
            more = len(staff.area_codes) - len(names)
            areas = ", ".join(names) + (f" +{more}" if more > 0 else "")
        return Header(staff.name, areas, staff.csrf)

    async def _report_for(self, staff: Staff, raw: str) -> Report:
        number = parse_id(raw)
        report = await self.services.store.reports.get(number) if number is not None else None
        if report is None:
            raise PageError(404, "not_found")
        if not staff.may_act_on(report):
            raise PageError(403, "forbidden")
        return report

    # Sign-in ----------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        token = request.query_params.get("token", "").strip()
        if not token or len(token) > 200:
            raise PageError(400, "login_missing")
        outcome, session = await self.sessions.redeem_login(
            token, self.services.clock.now(), SESSION_VALID_FOR
        )
        if outcome == "unknown":
            raise PageError(400, "login_missing")
        if outcome != "ok" or session is None:
            raise PageError(401, f"login_{outcome}")
        response = RedirectResponse("/staff", status_code=303)
        base = web_base_url(self.services.settings) or ""
        response.set_cookie(
            COOKIE,
            session,
            max_age=int(SESSION_VALID_FOR.total_seconds()),
            path="/staff",
            httponly=True,
            samesite="lax",
            secure=base.startswith("https://"),
        )
        return response

    async def logout(self, request: Request) -> Response:
        staff = await self._staff(request)
        await read_form(request, staff.session_token, staff.user_id)
        await self.sessions.end_session(staff.session_token)
        page = message_page(staff.language, plain(staff.language, "web.logged_out"), error=False)
        response = HTMLResponse(page)
        response.delete_cookie(COOKIE, path="/staff")
        return response

    # The list ---------------------------------------------------------------------------

    def _filters(self, request: Request) -> Filters:
        query = request.query_params
        status = query.get("status") or None
        if status is not None and status not in statuses.STATUSES:
            raise PageError(400, "bad_filter", name="status")
        category = query.get("category") or None
        if category is not None and category not in self.services.categories:
            raise PageError(400, "bad_filter", name="category")
        area = (query.get("area") or "").strip() or None
        if area is not None and area not in self.services.areas.by_code:
            raise PageError(400, "bad_filter", name="area")
        return Filters(status, category, area, query.get("overdue") in ("1", "on", "true"))

    def _query(self, staff: Staff, filters: Filters) -> ReportQuery:
        codes = staff.area_codes
        if filters.area is not None:
            codes = (filters.area,) if codes is None or filters.area in codes else ()
        overdue = None
        if filters.overdue:
            now = self.services.clock.now()
            overdue = {
                key: (now - timedelta(hours=category.sla_hours)).isoformat(timespec="seconds")
                for key, category in self.services.categories.items()
            }
        return ReportQuery(
            area_codes=codes,
            statuses=None if filters.status is None else (filters.status,),
            category_key=filters.category,
            overdue_before=overdue,
            waiting=statuses.WAITING,
        )

    def _page_number(self, request: Request) -> int:
        raw = request.query_params.get("page", "1")
        page = parse_id(raw)
        if page is None or not 1 <= page <= MAX_PAGE:
            raise PageError(400, "bad_filter", name="page")
        return page

    async def report_list(self, request: Request) -> Response:
        staff = await self._staff(request)
        filters = self._filters(request)
        page = self._page_number(request)
        query = self._query(staff, filters)
        total = await self.services.store.reports.count(query)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        reports = await self.services.store.reports.search(
            query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        language = staff.language
        params = {**filters.params(), "lang": language}
        body = [self.views.filter_form(staff, filters)]
        body.append(
            "<p>"
            + text(language, "total", total=total, page=page, pages=pages)
            + " · "
            + link("/staff/export.csv", params, plain(language, "web.export_csv"))
            + " · "
            + link("/staff/export.geojson", params, plain(language, "web.export_geojson"))
            + "</p>"
        )
        if reports:
            body.append(self.views.report_table(staff, reports))
        else:
            body.append(f"<p>{text(language, 'empty')}</p>")
        nav = []
        if page > 1:
            nav.append(
                link("/staff", {**params, "page": str(page - 1)}, plain(language, "web.previous"))
            )
        if page < pages:
            nav.append(
                link("/staff", {**params, "page": str(page + 1)}, plain(language, "web.next"))
            )
        body.append(f"<p>{' · '.join(nav)}</p>")
        body.append(f"<h2>{text(language, 'map')}</h2>")
        body.append(map_block("/staff/export.geojson?" + urlencode(_present(params))))
        title = plain(language, "web.reports")
        return HTMLResponse(layout(language, title, "".join(body), self._header(staff)))

    # One report -------------------------------------------------------------------------

    async def detail(self, request: Request) -> Response:
        staff = await self._staff(request)
        report = await self._report_for(staff, request.path_params["report_id"])
        done = request.query_params.get("done")
        notice = ""
        if done in ("changed", "unchanged"):
            status = plain(staff.language, f"status.{report.status}")
            message = plain(staff.language, f"web.{done}", ref=report.id, status=status)
            notice = f'<p class="notice">{esc(message)}</p>'
        photos = await self.services.store.reports.photos(report.id)
        events = await self.services.store.reports.events(report.id)
        body = self.views.detail_body(staff, report, photos, events, notice)
        page = layout(staff.language, f"#{report.id}", body, self._header(staff))
        return HTMLResponse(page)

    async def change(self, request: Request) -> Response:
        staff = await self._staff(request)
        body = await read_form(request, staff.session_token, staff.user_id)
        report = await self._report_for(staff, request.path_params["report_id"])
        language = staff.language
        status = body.get("status", "")
        if status not in statuses.OFFICER_MOVES:
            raise PageError(400, "bad_filter", name="status")
        note = (body.get("note") or "").strip() or None
        if note is not None and len(note) > MAX_NOTE:
            raise PageError(400, "note_too_long", max=MAX_NOTE)
        duplicate_of = None
        if status == "duplicate":
            raw = (body.get("duplicate_of") or "").strip().lstrip("#")
            duplicate_of = parse_id(raw)
            if duplicate_of is None:
                raise PageError(400, "bad_duplicate")
        actor = Actor("admin" if staff.admin else "officer", staff.user_id, staff.name)

        async def may_touch(original: Report) -> bool:
            return staff.may_act_on(original)

        result = await self.services.cases.change_status(
            report.id,
            status,
            actor,
            note=note,
            duplicate_of=duplicate_of,
            may_touch_original=may_touch,
        )
        if result.outcome is Outcome.NOTE_REQUIRED:
            raise PageError(400, "note_required")
        if result.outcome is Outcome.BAD_DUPLICATE:
            raise PageError(400, "bad_duplicate")
        if result.outcome is Outcome.ORIGINAL_FORBIDDEN:
            raise PageError(403, "original_forbidden", original=duplicate_of)
        if result.outcome is Outcome.NOT_FOUND:
            raise PageError(404, "not_found")
        if result.outcome is Outcome.NOT_ALLOWED:
            current = result.report.status if result.report else report.status
            raise PageError(
                409,
                "not_allowed",
                ref=report.id,
                current=plain(language, f"status.{current}"),
                status=plain(language, f"status.{status}"),
            )
        done = "changed" if result.outcome is Outcome.CHANGED else "unchanged"
        return RedirectResponse(
            f"/staff/reports/{report.id}?{urlencode({'lang': language, 'done': done})}",
            status_code=303,
        )

    # Photos -----------------------------------------------------------------------------

    async def photo(self, request: Request) -> Response:
        staff = await self._staff(request)
        file_id = request.path_params["file_id"]
        report_id = await self.sessions.photo_report(file_id) if len(file_id) < 300 else None
        if report_id is None:
            raise PageError(404, "photo_missing")
        await self._report_for(staff, str(report_id))
        photo = await self.photos.get(file_id)
        return Response(photo.data, media_type=photo.media_type)

    # Exports ----------------------------------------------------------------------------

    async def _exported(self, request: Request) -> tuple[Staff, list[Report]]:
        staff = await self._staff(request)
        query = self._query(staff, self._filters(request))
        return staff, await self.services.store.reports.search(query, limit=MAX_EXPORT)

    async def export_csv(self, request: Request) -> Response:
        _, reports = await self._exported(request)
        return csv_export(self.services, reports)

    async def export_geojson(self, request: Request) -> Response:
        staff, reports = await self._exported(request)
        return geojson_export(self.services, reports, staff.language)


def _present(params: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in params.items() if value}
