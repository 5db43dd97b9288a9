"""What the staff pages show, as HTML: who is signed in, the list's filter form and table, a
report's facts, status form, photos and history.

Why apart from the modules that decide who may see and do what (:mod:`bot.http.staff_signin`,
:mod:`bot.http.staff_access`, :mod:`bot.http.staff_pages`): this one only renders what it is
given, every value through :func:`bot.http.templates.esc`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.attributes import answered
from bot.domain.cases import MAX_NOTE
from bot.domain.statuses import STATUSES, moves
from bot.geo.places import area_label
from bot.http.staff_guard import csrf_for
from bot.http.templates import esc, link, select, table, text
from bot.i18n import plain
from bot.outbox.renderers import category_label, local_time, overdue_hours
from bot.services import Services
from storage.reports import Report, ReportEvent, ReportPhoto
from storage.request_details import RequestDetails


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


class StaffViews:
    def __init__(self, services: Services) -> None:
        self.services = services

    def filter_form(self, staff: Staff, filters: Filters) -> str:
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

    def report_table(self, staff: Staff, reports: list[Report]) -> str:
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
                    esc(shorten(report.description, 120)),
                ]
            )
        headings = [
            plain(language, f"web.{key}")
            for key in ("ref", "status", "category", "place", "created", "description")
        ]
        return table(headings, rows)

    def detail_body(
        self,
        staff: Staff,
        report: Report,
        photos: list[ReportPhoto],
        events: list[ReportEvent],
        notice: str = "",
        details: RequestDetails | None = None,
        added: frozenset[int] = frozenset(),
    ) -> str:
        """A report's facts, its status form, photos and history, as the page's body;
        ``added``: the events that are the reporter's additions after filing."""
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
            *self.request_facts(report, details, language),
        ]
        body = [notice, f"<h1>#{report.id}</h1><table>"]
        body += [f"<tr><th>{text(language, key)}</th><td>{value}</td></tr>" for key, value in facts]
        body.append("</table>")
        body.append(self.status_form(staff, report))
        body.append(f"<h2>{text(language, 'photos')}</h2>")
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
        body.append(self.history(staff, events, added))
        body.append(f"<p>{link('/staff', {'lang': language}, plain(language, 'web.back'))}</p>")
        return "".join(body)

    def request_facts(
        self, report: Report, details: RequestDetails | None, language: str
    ) -> list[tuple[str, str]]:
        """What an agency's Open311 request brought: who filed it, the answers to the
        category's questions, and the reporter's contact (staff only; the phone number stays
        off the pages, like every citizen's: ``python -m bot case show`` prints it)."""
        if details is None:
            return []
        facts = [("filed_by", esc(details.agency))]
        category = self.services.categories.get(report.category_key)
        pairs = answered(category.attributes, details.extras.answers, language) if category else []
        if pairs:
            facts.append(("answers", "<br>".join(f"{esc(q)}: {esc(a)}" for q, a in pairs)))
        contact = details.extras.contact
        name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        shown = [part for part in (name, contact.email, contact.account_id) if part]
        if shown:
            facts.append(("contact", esc(" · ".join(shown))))
        return facts

    def history(
        self, staff: Staff, events: list[ReportEvent], added: frozenset[int] = frozenset()
    ) -> str:
        language = staff.language
        rows = []
        for event in events:
            actor = (
                plain(language, "web.reporter")
                if event.actor_kind == "citizen"
                else event.actor_name or event.actor_kind
            )
            what = (
                esc(plain(language, "additions.web_label"))
                if event.id in added
                else esc(plain(language, f"status.{event.new_status}"))
            )
            note = esc(event.note or "")
            if event.photo_file_id:
                alt = plain(language, "additions.web_photo") if event.id in added else ""
                note += _thumbnail(event.photo_file_id, alt)
            rows.append(
                [
                    esc(local_time(self.services, event.at)),
                    what,
                    text(language, "by", actor=actor),
                    note,
                ]
            )
        headings = [plain(language, "web.updated"), plain(language, "web.status"), "", ""]
        return table(headings, rows)

    def status_form(self, staff: Staff, report: Report) -> str:
        language = staff.language
        allowed = moves(report.status, "admin" if staff.admin else "officer")
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


def _thumbnail(file_id: str, alt: str) -> str:
    """A history line's photo, through the staff photo route (which checks who may see it)."""
    src = f"/staff/photos/{esc(file_id)}"
    return f' <a href="{src}"><img class="thumb" src="{src}" alt="{esc(alt)}" loading="lazy"></a>'


def shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
