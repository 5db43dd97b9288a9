"""The staff pages proper: the report list (map, filters, paging), one report, and its two
forms' answers (a status change; a note or photo that keeps the status).

Why changes go through :class:`bot.domain.cases.CasesService` (``change_status``, ``add_note``),
with the moves the group buttons offer (acknowledge, in progress, resolve, reject with a note,
duplicate): the reporter and followers get the same follow-up whichever way an officer acted,
an "after" photo included (kept like the case CLI's, :mod:`bot.http.staff_upload`). This module
parses the request, asks :mod:`bot.http.staff_access` what the person may see, and hands the
HTML to :mod:`bot.http.staff_views`. A refused form is the report's page again, with what was
typed and the reason (:class:`bot.http.staff_forms.Draft`), under the usual navigation.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.domain.cases import MAX_NOTE, Actor, ChangeResult, Outcome
from bot.domain.statuses import DUPLICATE, OFFICER_MOVES
from bot.http.staff_access import StaffAccess
from bot.http.staff_forms import NOTE_FORM, STATUS_FORM, Draft
from bot.http.staff_guard import PageError
from bot.http.staff_signin import StaffSignIn
from bot.http.staff_upload import PhotoRefused, Submitted, Upload, Uploads, read_upload_form
from bot.http.staff_views import Staff, StaffViews
from bot.http.templates import Header, esc, layout, legend, link, map_block, text
from bot.i18n import plain
from bot.ids import parse_id
from bot.images import MAX_PHOTO_BYTES
from bot.outbox.renderers import category_label
from bot.services import Services
from storage.photos import PhotoRef
from storage.reports import Report

PAGE_SIZE = 25
MAX_PAGE = 100_000


class ReportPages:
    def __init__(self, services: Services, sign_in: StaffSignIn, access: StaffAccess) -> None:
        self.services = services
        self.sign_in = sign_in
        self.access = access
        self.views = StaffViews(services)
        self.uploads = Uploads(services.settings.database_path)

    def _header(self, staff: Staff) -> Header:
        if staff.area_codes is None:
            areas = None
        else:
            names = [self.services.areas.by_code[code].name for code in staff.area_codes[:6]]
            more = len(staff.area_codes) - len(names)
            names += [agency.name for agency in staff.agencies]
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
        geojson = "/staff/export.geojson?" + urlencode(_present(params))
        body = [f'<h1 class="sr-only">{esc(plain(language, "web.reports"))}</h1>']
        body.append(map_block(language, geojson=geojson))
        body.append(legend(language))
        body.append(self.views.filter_form(staff, filters))
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
        title = plain(language, "web.reports")
        return HTMLResponse(layout(language, title, "".join(body), self._header(staff)))

    # One report -------------------------------------------------------------------------

    async def detail(self, request: Request) -> Response:
        staff = await self.sign_in.staff(request)
        report = await self.access.report_for(staff, request.path_params["report_id"])
        done = request.query_params.get("done")
        notice = ""
        if done in ("changed", "unchanged", "unchanged_dropped", "noted"):
            status = plain(staff.language, f"status.{report.status}")
            message = plain(staff.language, f"web.{done}", ref=report.id, status=status)
            notice = f'<p class="notice" id="notice" role="status">{esc(message)}</p>'
        return await self._page(staff, report, notice)

    async def _page(
        self,
        staff: Staff,
        report: Report,
        notice: str = "",
        draft: Draft | None = None,
        http_status: int = 200,
    ) -> Response:
        photos = await self.services.store.reports.photos(report.id)
        events = await self.services.store.reports.events(report.id)
        additions = await self.services.store.citizen_updates.summary(report.id)
        details = await self.services.store.request_details.details(report.id)
        body = self.views.detail_body(
            staff, report, photos, events, notice, details, additions.event_ids, draft
        )
        page = layout(staff.language, f"#{report.id}", body, self._header(staff))
        return HTMLResponse(page, status_code=http_status)

    async def _refused(
        self, staff: Staff, report: Report, http_status: int, draft: Draft
    ) -> Response:
        """The page again, as it is now (another officer may have moved the report), with the
        form as it was sent and the reason."""
        fresh = await self.services.store.reports.get(report.id)
        return await self._page(staff, fresh or report, draft=draft, http_status=http_status)

    def _done(self, staff: Staff, report: Report, done: str) -> Response:
        query = urlencode({"lang": staff.language, "done": done})
        return RedirectResponse(f"/staff/reports/{report.id}?{query}#notice", status_code=303)

    @staticmethod
    def _actor(staff: Staff) -> Actor:
        return Actor("admin" if staff.admin else "officer", staff.user_id, staff.name)

    async def _submitted(self, request: Request) -> tuple[Staff, Report, Submitted]:
        """Who asks (401/403 before a byte of the body is read), the form (CSRF first), and
        the report it names, if they may act on it."""
        staff = await self.sign_in.staff(request)
        form = await read_upload_form(request, staff.session_token, staff.user_id, self.uploads)
        report = await self.access.report_for(staff, request.path_params["report_id"])
        return staff, report, form

    async def change(self, request: Request) -> Response:
        staff, report, form = await self._submitted(request)
        language = staff.language
        fields = form.fields
        status = fields.get("status", "").strip()
        typed = fields.get("note") or ""
        note = typed.strip() or None
        raw_duplicate = (fields.get("duplicate_of") or "").strip()
        upload = form.files.get("photo")

        async def refuse(http_status: int, key: str, **params: object) -> Response:
            error = plain(language, f"web.{key}", **params)
            draft = Draft(
                STATUS_FORM,
                error,
                status=status,
                note=typed,
                duplicate_of=raw_duplicate if status == DUPLICATE else "",
                photo_dropped=upload is not None,
            )
            return await self._refused(staff, report, http_status, draft)

        if status not in OFFICER_MOVES:  # none chosen (or a forged one)
            return await refuse(400, "choose_status_first")
        if note is not None and len(note) > MAX_NOTE:
            return await refuse(400, "note_too_long", max=MAX_NOTE)
        duplicate_of = None
        if status == DUPLICATE:
            duplicate_of = parse_id(raw_duplicate.lstrip("#"))
            if duplicate_of is None:
                return await refuse(400, "bad_duplicate")
        if status == "rejected" and note is None:  # before any work on a photo
            return await refuse(400, "note_required")

        async def may_touch(original: Report) -> bool:
            return staff.may_act_on(original)

        result = await self._with_upload(
            upload,
            refuse,
            lambda photo: self.services.cases.change_status(
                report.id,
                status,
                self._actor(staff),
                note=note,
                photo=photo,
                duplicate_of=duplicate_of,
                may_touch_original=may_touch,
            ),
        )
        if isinstance(result, Response):  # the upload was not a photo
            return result
        if result.outcome is Outcome.NOTE_REQUIRED:
            return await refuse(400, "note_required")
        if result.outcome is Outcome.PHOTO_REQUIRED:
            category = category_label(self.services, report, language)
            return await refuse(400, "photo_required", category=category)
        if result.outcome is Outcome.BAD_DUPLICATE:
            return await refuse(400, "bad_duplicate")
        if result.outcome is Outcome.ORIGINAL_FORBIDDEN:
            return await refuse(403, "original_forbidden", original=duplicate_of)
        if result.outcome is Outcome.NOT_FOUND:
            raise PageError(404, "not_found")
        if result.outcome is Outcome.NOT_ALLOWED:
            current = result.report.status if result.report else report.status
            return await refuse(
                409,
                "not_allowed",
                ref=report.id,
                current=plain(language, f"status.{current}"),
                status=plain(language, f"status.{status}"),
            )
        if result.outcome is Outcome.UNCHANGED:  # a second press, or someone else was quicker
            dropped = note is not None or upload is not None
            return self._done(staff, report, "unchanged_dropped" if dropped else "unchanged")
        return self._done(staff, report, "changed")

    async def note(self, request: Request) -> Response:
        """A note or a photo for the reporter and followers; the status stays."""
        staff, report, form = await self._submitted(request)
        language = staff.language
        typed = form.fields.get("note") or ""
        note = typed.strip() or None
        upload = form.files.get("photo")

        async def refuse(http_status: int, key: str, **params: object) -> Response:
            error = plain(language, f"web.{key}", **params)
            draft = Draft(NOTE_FORM, error, note=typed, photo_dropped=upload is not None)
            return await self._refused(staff, report, http_status, draft)

        if note is None and upload is None:
            return await refuse(400, "note_empty")
        if note is not None and len(note) > MAX_NOTE:
            return await refuse(400, "note_too_long", max=MAX_NOTE)
        result = await self._with_upload(
            upload,
            refuse,
            lambda photo: self.services.cases.add_note(
                report.id, self._actor(staff), note=note, photo=photo
            ),
        )
        if isinstance(result, Response):  # the upload was not a photo
            return result
        if result.outcome is not Outcome.CHANGED:
            raise PageError(404, "not_found")
        return self._done(staff, report, "noted")

    async def _with_upload(
        self,
        upload: Upload | None,
        refuse: Callable[..., Awaitable[Response]],
        act: Callable[[PhotoRef | None], Awaitable[ChangeResult]],
    ) -> ChangeResult | Response:
        """``act`` with the upload kept as a photo (or none); an upload that is not a photo is
        refused through the form's own ``refuse`` before anything changes."""
        try:
            kept = await self._kept_photo(upload)
        except PhotoRefused as refusal:
            return await refuse(400, refusal.key, max=MAX_PHOTO_BYTES // (1024 * 1024))
        return await self._with_photo(kept, act)

    async def _kept_photo(self, upload: Upload | None) -> tuple[Path, PhotoRef] | None:
        """The upload cleaned and written beside the database (PhotoRefused if it is not a
        photo); None without one."""
        if upload is None:
            return None
        return await self.uploads.keep(await self.uploads.cleaned(upload))

    @staticmethod
    async def _with_photo(
        kept: tuple[Path, PhotoRef] | None,
        act: Callable[[PhotoRef | None], Awaitable[ChangeResult]],
    ) -> ChangeResult:
        """``act`` with the kept photo; the file is removed again unless the change happened
        (nothing refers to it then), as the case CLI does."""
        result: ChangeResult | None = None
        try:
            result = await act(kept[1] if kept else None)
        finally:
            if kept is not None and (result is None or result.outcome is not Outcome.CHANGED):
                await asyncio.to_thread(kept[0].unlink, missing_ok=True)
        return result


def _present(params: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in params.items() if value}
