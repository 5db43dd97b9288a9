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

Status changes go through :meth:`bot.cases.CasesService.change_status`, with the moves the
group buttons offer (acknowledge, in progress, resolve, reject with a note, duplicate), so the
reporter and followers get the same follow-up. Forms carry a CSRF token derived from the
session (an HMAC of its secret), checked with a constant-time compare.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Bot
from telegram.error import TelegramError

from bot.cases import OFFICER_MOVES, STATUSES, TRANSITIONS, Actor, Outcome
from bot.config import Settings
from bot.http.common import ApiError, read_body
from bot.http.templates import (
    Header,
    esc,
    layout,
    link,
    map_block,
    message_page,
    select,
    table,
    text,
)
from bot.i18n import LANGUAGES, plain
from bot.ids import parse_id
from bot.outgoing import category_label, local_time, overdue_hours
from bot.places import area_label
from bot.routing import scopes_of
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
MAX_NOTE = 700  # as for an officer's reply: the follow-up must fit a photo caption
PHOTO_CACHE_ENTRIES = 64
_CSRF_PURPOSE = b"wargalapor staff form"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the sign-in token is in a URL
}

Handler = Callable[[Request], Awaitable[Response]]


def web_base_url(settings: Settings) -> str | None:
    """``WEB_BASE_URL``, else the HTTP server's own address; None when the server is off."""
    if settings.web_base_url:
        return settings.web_base_url
    if settings.http_port is None:
        return None
    host = settings.http_host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.http_port}"


def csrf_for(session_token: str) -> str:
    return hmac.new(session_token.encode("utf-8"), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


class PageError(Exception):
    """A request the pages refuse, shown as a page with ``web.<key>`` and this status."""

    def __init__(self, status: int, key: str, **params: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Staff:
    user_id: int
    name: str
    admin: bool
    area_codes: tuple[str, ...] | None  # None: every report (an admin)
    language: str
    session_token: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.session_token)

    def may_act_on(self, report: Report) -> bool:
        """The group buttons' rule: admins anywhere, officers in their areas."""
        if self.area_codes is None:
            return True
        return report.area_code is not None and report.area_code in self.area_codes


@dataclass(frozen=True)
class Filters:
    status: str | None
    category: str | None
    area: str | None
    overdue: bool

    def params(self) -> dict[str, str]:
        return {
            "status": self.status or "",
            "category": self.category or "",
            "area": self.area or "",
            "overdue": "1" if self.overdue else "",
        }


class PhotoCache:
    """The last photos fetched, in memory: an officer paging through a report's photos, or two
    officers opening the same report, cost Telegram one download each."""

    def __init__(self, entries: int = PHOTO_CACHE_ENTRIES) -> None:
        self.entries = entries
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, file_id: str) -> bytes | None:
        data = self._items.get(file_id)
        if data is not None:
            self._items.move_to_end(file_id)
        return data

    def put(self, file_id: str, data: bytes) -> None:
        self._items[file_id] = data
        self._items.move_to_end(file_id)
        while len(self._items) > self.entries:
            self._items.popitem(last=False)


class StaffPages:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.sessions = WebSessionRepository(services.store.db)
        self.photos = PhotoCache()

    def routes(self) -> list[BaseRoute]:
        guard = self._guard
        return [
            Route("/staff", guard(self.report_list), methods=["GET"]),
            Route("/staff/login", guard(self.login), methods=["GET"]),
            Route("/staff/logout", guard(self.logout), methods=["POST"]),
            Route("/staff/reports/{report_id}", guard(self.detail), methods=["GET"]),
            Route("/staff/reports/{report_id}/status", guard(self.change), methods=["POST"]),
            Route("/staff/photos/{file_id}", guard(self.photo), methods=["GET"]),
            Route("/staff/export.csv", guard(self.export_csv), methods=["GET"]),
            Route("/staff/export.geojson", guard(self.export_geojson), methods=["GET"]),
        ]

    def _guard(self, handler: Handler) -> Handler:
        """Refusals as readable pages (not the API's JSON), and the same headers everywhere."""

        async def guarded(request: Request) -> Response:
            try:
                response = await handler(request)
            except PageError as error:
                language = self._query_language(request)
                message = plain(language, f"web.{error.key}", **error.params)
                response = HTMLResponse(message_page(language, message), status_code=error.status)
            except ApiError as error:  # an oversized or non-form body
                language = self._query_language(request)
                response = HTMLResponse(
                    message_page(language, error.description), status_code=error.status
                )
            response.headers.update(_HEADERS)
            return response

        return guarded

    # Who is asking ----------------------------------------------------------------------

    def _query_language(self, request: Request) -> str:
        wanted = request.query_params.get("lang", "")
        return wanted if wanted in LANGUAGES else self.services.settings.default_language

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
            scopes = set(await self.sessions.officer_scopes(session.user_id))
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
        await self._check_csrf(staff, await read_body(request))
        await self.sessions.end_session(staff.session_token)
        page = message_page(staff.language, plain(staff.language, "web.logged_out"), error=False)
        response = HTMLResponse(page)
        response.delete_cookie(COOKIE, path="/staff")
        return response

    @staticmethod
    async def _check_csrf(staff: Staff, body: dict[str, str]) -> None:
        if not hmac.compare_digest(body.get("csrf", ""), staff.csrf):
            raise PageError(403, "csrf")

    # The list ---------------------------------------------------------------------------

    def _filters(self, request: Request) -> Filters:
        query = request.query_params
        status = query.get("status") or None
        if status is not None and status not in STATUSES:
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
        body = [self._filter_form(staff, filters)]
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
            body.append(self._table(staff, reports))
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

    def _filter_form(self, staff: Staff, filters: Filters) -> str:
        language = staff.language
        any_option = [("", plain(language, "web.any"))]
        statuses = any_option + [(s, plain(language, f"status.{s}")) for s in STATUSES]
        categories = any_option + [
            (key, category.label(language))
            for key, category in sorted(
                self.services.categories.items(), key=lambda item: item[1].position
            )
        ]
        checked = " checked" if filters.overdue else ""
        return (
            '<form class="filters" method="get" action="/staff">'
            f'<input type="hidden" name="lang" value="{esc(language)}">'
            f"<label>{text(language, 'status')}{select('status', statuses, filters.status)}"
            "</label>"
            f"<label>{text(language, 'category')}"
            f"{select('category', categories, filters.category)}</label>"
            f"<label>{text(language, 'area')}"
            f'<input name="area" value="{esc(filters.area or "")}" size="12"'
            ' inputmode="numeric"></label>'
            f'<label><span><input type="checkbox" name="overdue" value="1"{checked}>'
            f" {text(language, 'overdue')}</span></label>"
            f'<button type="submit">{text(language, "filter")}</button></form>'
        )

    def _table(self, staff: Staff, reports: list[Report]) -> str:
        language = staff.language
        services = self.services
        rows = []
        for report in reports:
            area = services.areas.by_code.get(report.area_code or "")
            status = esc(plain(language, f"status.{report.status}"))
            if overdue_hours(services, report) is not None:
                status += f' <span class="overdue">{text(language, "overdue_mark")}</span>'
            rows.append(
                [
                    link(f"/staff/reports/{report.id}", {"lang": language}, f"#{report.id}"),
                    status,
                    esc(category_label(services, report, language)),
                    esc(area_label(area, language) if area else "—"),
                    esc(local_time(services, report.created_at)),
                    esc(_shorten(report.description, 120)),
                ]
            )
        headings = [
            plain(language, f"web.{key}")
            for key in ("ref", "status", "category", "place", "created", "description")
        ]
        return table(headings, rows)

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
        return await self._detail_page(staff, report, notice)

    async def _detail_page(
        self, staff: Staff, report: Report, notice: str = "", status_code: int = 200
    ) -> Response:
        services = self.services
        language = staff.language
        area = services.areas.by_code.get(report.area_code or "")
        status = esc(plain(language, f"status.{report.status}"))
        if overdue_hours(services, report) is not None:
            status += f' <span class="overdue">{text(language, "overdue_mark")}</span>'
        place = ", ".join(
            part
            for part in (
                report.place_name,
                report.address,
                area_label(area, language) if area else "",
            )
            if part
        )
        facts = [
            ("status", status),
            ("category", esc(category_label(services, report, language))),
            ("place", esc(f"{place} ({report.lat:.5f}, {report.lon:.5f})")),
            ("created", esc(local_time(services, report.created_at))),
            ("updated", esc(local_time(services, report.updated_at))),
            ("supporters", esc(report.supporters)),
            ("description", esc(report.description)),
        ]
        body = [notice, f"<h1>#{report.id}</h1><table>"]
        body += [f"<tr><th>{text(language, key)}</th><td>{value}</td></tr>" for key, value in facts]
        body.append("</table>")
        body.append(self._status_form(staff, report))
        body.append(f"<h2>{text(language, 'photos')}</h2>")
        photos = await services.store.reports.photos(report.id)
        if photos:
            images = "".join(
                f'<a href="/staff/photos/{esc(photo.file_id)}">'
                f'<img src="/staff/photos/{esc(photo.file_id)}" alt="{esc(photo.role)}"'
                ' loading="lazy"></a>'
                for photo in photos
            )
            body.append(f'<div class="photos">{images}</div>')
        else:
            body.append(f"<p>{text(language, 'no_photos')}</p>")
        body.append(f"<h2>{text(language, 'history')}</h2>")
        body.append(await self._history(staff, report))
        body.append(f"<p>{link('/staff', {'lang': language}, plain(language, 'web.back'))}</p>")
        page = layout(language, f"#{report.id}", "".join(body), self._header(staff))
        return HTMLResponse(page, status_code=status_code)

    async def _history(self, staff: Staff, report: Report) -> str:
        language = staff.language
        rows = []
        for event in await self.services.store.reports.events(report.id):
            actor = (
                plain(language, "web.reporter")
                if event.actor_kind == "citizen"
                else event.actor_name or event.actor_kind
            )
            rows.append(
                [
                    esc(local_time(self.services, event.at)),
                    esc(plain(language, f"status.{event.new_status}")),
                    text(language, "by", actor=actor),
                    esc(event.note or ""),
                ]
            )
        headings = [plain(language, "web.updated"), plain(language, "web.status"), "", ""]
        return table(headings, rows)

    def _status_form(self, staff: Staff, report: Report) -> str:
        language = staff.language
        allowed = _moves(report.status)
        if not allowed:
            return f"<p>{text(language, 'final')}</p>"
        options = [(status, plain(language, f"status.{status}")) for status in allowed]
        return (
            f"<h2>{text(language, 'change_status')}</h2>"
            f'<form method="post" action="/staff/reports/{report.id}/status?lang={esc(language)}">'
            f'<input type="hidden" name="csrf" value="{esc(staff.csrf)}">'
            f"<p><label>{text(language, 'new_status')} {select('status', options, None)}"
            "</label></p>"
            f"<p><label>{text(language, 'note')}<br>"
            f'<textarea name="note" rows="3" cols="60" maxlength="{MAX_NOTE}"></textarea>'
            "</label></p>"
            f"<p><label>{text(language, 'duplicate_of')} "
            '<input name="duplicate_of" size="8" inputmode="numeric"></label></p>'
            f'<button type="submit">{text(language, "save")}</button></form>'
        )

    async def change(self, request: Request) -> Response:
        staff = await self._staff(request)
        body = await read_body(request)
        await self._check_csrf(staff, body)
        report = await self._report_for(staff, request.path_params["report_id"])
        language = staff.language
        status = body.get("status", "")
        if status not in OFFICER_MOVES:
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
        data = self.photos.get(file_id)
        if data is None:
            data = await self._download(file_id)
            self.photos.put(file_id, data)
        return Response(data, media_type=_image_type(data))

    async def _download(self, file_id: str) -> bytes:
        """Through the Bot API's getFile, as the bot itself would; a short-lived client, since
        the web server has no hold on the bot application's own."""
        settings = self.services.settings
        try:
            async with Bot(
                settings.bot_token,
                base_url=settings.api_base_url,
                base_file_url=settings.api_file_url,
            ) as bot:
                telegram_file = await bot.get_file(file_id)
                return bytes(await telegram_file.download_as_bytearray())
        except TelegramError:
            raise PageError(502, "photo_missing") from None

    # Exports ----------------------------------------------------------------------------

    async def _exported(self, request: Request) -> tuple[Staff, list[Report]]:
        staff = await self._staff(request)
        query = self._query(staff, self._filters(request))
        return staff, await self.services.store.reports.search(query, limit=MAX_EXPORT)

    async def export_csv(self, request: Request) -> Response:
        _, reports = await self._exported(request)
        services = self.services
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
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
            ]
        )
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
                    _cell(report.place_name or ""),
                    _cell(report.address or ""),
                    _cell(report.description),
                ]
            )
        return Response(
            "\ufeff" + out.getvalue(),  # the BOM tells spreadsheet programs it is UTF-8
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="wargalapor.csv"'},
        )

    async def export_geojson(self, request: Request) -> Response:
        staff, reports = await self._exported(request)
        services = self.services
        features = []
        for report in reports:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [report.lon, report.lat]},
                    "properties": {
                        "id": report.id,
                        "status": report.status,
                        "category": report.category_key,
                        "category_name": category_label(services, report, staff.language),
                        "kelurahan_code": report.area_code,
                        "created_at": report.created_at,
                        "updated_at": report.updated_at,
                        "overdue": overdue_hours(services, report) is not None,
                        "description": report.description,
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


def _moves(status: str) -> list[str]:
    """The group buttons' moves from this status, in the lifecycle's order."""
    return [s for s in STATUSES if s in OFFICER_MOVES and s in TRANSITIONS.get(status, set())]


def _present(params: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in params.items() if value}


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _cell(value: str) -> str:
    """A citizen's text that a spreadsheet would run as a formula (``=HYPERLINK(…)``) is
    prefixed with an apostrophe, which spreadsheets show as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _image_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
