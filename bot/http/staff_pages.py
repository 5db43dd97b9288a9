"""The staff pages proper: the report list (filters, paging, map), one report, its status form.

Why status changes go through :meth:`bot.domain.cases.CasesService.change_status`, with the moves
the group buttons offer (acknowledge, in progress, resolve, reject with a note, duplicate): the
reporter and followers get the same follow-up whichever way an officer moved the report. This
module parses the request, asks :mod:`bot.http.staff_access` what the person may see, and hands
the HTML to :mod:`bot.http.staff_views`.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.domain.cases import MAX_NOTE, Actor, Outcome
from bot.domain.statuses import OFFICER_MOVES
from bot.http.staff_access import StaffAccess
from bot.http.staff_guard import PageError, read_form
from bot.http.staff_signin import StaffSignIn
from bot.http.staff_views import Staff, StaffViews
from bot.http.templates import Header, esc, layout, link, map_block, text
from bot.i18n import plain
from bot.ids import parse_id
from bot.services import Services
from storage.reports import Report

PAGE_SIZE = 25
MAX_PAGE = 100_000


class ReportPages:
    def __init__(self, services: Services, sign_in: StaffSignIn, access: StaffAccess) -> None:
        self.services = services
        self.sign_in = sign_in
        self.access = access
        self.views = StaffViews(services)

    def _header(self, staff: Staff) -> Header:
        if staff.area_codes is None:
            areas = None
        else:
            names = [self.services.areas.by_code[code].name for code in staff.area_codes[:6]]
            more = len(staff.area_codes) - len(names)
            areas = ", ".join(names) + (f" +{more}" if more > 0 else "")
        return Header(staff.name, areas, staff.csrf)

    # The list ---------------------------------------------------------------------------

    def _page_number(self, request: Request) -> int:
        raw = request.query_params.get("page", "1")
        page = parse_id(raw)
        if page is None or not 1 <= page <= MAX_PAGE:
            raise PageError(400, "bad_filter", name="page")
        return page

    async def report_list(self, request: Request) -> Response:
        staff = await self.sign_in.staff(request)
        filters = self.access.filters(request)
        page = self._page_number(request)
        query = self.access.query(staff, filters)
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
        staff = await self.sign_in.staff(request)
        report = await self.access.report_for(staff, request.path_params["report_id"])
        done = request.query_params.get("done")
        notice = ""
        if done in ("changed", "unchanged"):
            status = plain(staff.language, f"status.{report.status}")
            message = plain(staff.language, f"web.{done}", ref=report.id, status=status)
            notice = f'<p class="notice">{esc(message)}</p>'
        photos = await self.services.store.reports.photos(report.id)
        events = await self.services.store.reports.events(report.id)
        additions = await self.services.store.citizen_updates.summary(report.id)
        details = await self.services.store.request_details.details(report.id)
        body = self.views.detail_body(
            staff, report, photos, events, notice, details, additions.event_ids
        )
        page = layout(staff.language, f"#{report.id}", body, self._header(staff))
        return HTMLResponse(page)

    async def change(self, request: Request) -> Response:
        staff = await self.sign_in.staff(request)
        body = await read_form(request, staff.session_token, staff.user_id)
        report = await self.access.report_for(staff, request.path_params["report_id"])
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


def _present(params: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in params.items() if value}
