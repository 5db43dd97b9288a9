"""What the staff pages show, as HTML: who is signed in, the list's filter form and table, a
report's facts, its place (a link and a small map), what the reporter added after filing, its
forms (:mod:`bot.http.staff_forms`), photos and history.

Why apart from the modules that decide who may see and do what (:mod:`bot.http.staff_signin`,
:mod:`bot.http.staff_access`, :mod:`bot.http.staff_pages`): this one only renders what it is
given, every value through :func:`bot.http.templates.esc`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain import agencies, privacy
from bot.domain.attributes import answered
from bot.domain.statuses import STATUSES
from bot.geo.areas import Area
from bot.geo.places import area_label
from bot.http.staff_forms import Draft, forms
from bot.http.staff_guard import csrf_for
from bot.http.templates import (
    esc,
    link,
    map_block,
    map_url,
    select,
    status_badge,
    table,
    text,
)
from bot.i18n import plain
from bot.outbox.citizen_senders import LOCAL_PHOTO_PREFIX
from bot.outbox.renderers import category_label, local_time, overdue_hours
from bot.services import Services
from storage.agencies import Agency
from storage.report_query import AgencyReach
from storage.reports import Report, ReportEvent, ReportPhoto
from storage.request_details import RequestDetails

#: The photos' groups on a report's page, by ``report_photos.role``, in this order.
PHOTO_ROLES = ("citizen", "update", "resolution")


@dataclass(frozen=True)
class Staff:
    user_id: int
    name: str
    admin: bool
    area_codes: tuple[str, ...] | None  # None: every report (an admin)
    language: str
    session_token: str
    agencies: tuple[Agency, ...] = ()  # whose linked groups they administer
    by_code: Mapping[str, Area] = field(default_factory=dict)

    @property
    def csrf(self) -> str:
        return csrf_for(self.session_token)

    def may_act_on(self, report: Report) -> bool:
        """The group buttons' rule: admins anywhere, officers in their areas, an agency
        group's administrators on the reports that agency handles."""
        if self.area_codes is None:
            return True
        if report.area_code is not None and report.area_code in self.area_codes:
            return True
        area = self.by_code.get(report.area_code or "")
        return any(agencies.handles(agency, report, area) for agency in self.agencies)

    def reaches(self) -> tuple[AgencyReach, ...]:
        """The agencies' reports, for the list's query (bot.domain.agencies.reach)."""
        return tuple(agencies.reach(agency, self.by_code.values()) for agency in self.agencies)


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

    def _status(self, language: str, report: Report) -> str:
        status = status_badge(language, report.status)
        if overdue_hours(self.services, report) is not None:
            status += f' <span class="overdue">{text(language, "overdue_mark")}</span>'
        return status

    def report_table(self, staff: Staff, reports: list[Report]) -> str:
        """The list: a table at a desk, cards on a phone (:func:`bot.http.templates.table`)."""
        language = staff.language
        services = self.services
        rows = []
        for report in reports:
            area = services.areas.by_code.get(report.area_code or "")
            rows.append(
                [
                    link(f"/staff/reports/{report.id}", {"lang": language}, f"#{report.id}")
                    + privacy_mark(language, report),
                    self._status(language, report),
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
        return table(headings, rows, "cards reports")

    def detail_body(
        self,
        staff: Staff,
        report: Report,
        photos: list[ReportPhoto],
        events: list[ReportEvent],
        notice: str = "",
        details: RequestDetails | None = None,
        added: frozenset[int] = frozenset(),
        draft: Draft | None = None,
    ) -> str:
        """A report's facts, place, additions, forms, photos and history, as the page's body;
        ``added``: the events that are the reporter's additions after filing; ``draft``: a
        refused form, shown again as it was sent."""
        services = self.services
        language = staff.language
        area = services.areas.by_code.get(report.area_code or "")
        place = ", ".join(
            part
            for part in (
                report.place_name,
                report.address,
                area_label(area, language) if area else "",
            )
            if part
        )
        where = (
            esc(f"{place} ({report.lat:.5f}, {report.lon:.5f})")
            + f' <a class="map-link" href="{esc(map_url(report.lat, report.lon))}"'
            f' rel="noopener noreferrer" target="_blank">{text(language, "open_map")}</a>'
        )
        facts = [
            ("privacy", esc(plain(language, f"privacy.name_{privacy.of(report.visibility)}"))),
            *([("reporter_identity", reporter_cell(language, report))] if details is None else []),
            ("status", self._status(language, report)),
            ("category", esc(category_label(services, report, language))),
            ("place", where),
            ("created", esc(local_time(services, report.created_at))),
            ("updated", esc(local_time(services, report.updated_at))),
            ("supporters", esc(report.supporters)),
            ("description", esc(report.description)),
            *self.request_facts(report, details, language),
        ]
        body = [notice, f'<h1>#{report.id}</h1><table class="facts">']
        body += [f"<tr><th>{text(language, key)}</th><td>{value}</td></tr>" for key, value in facts]
        body.append("</table>")
        body.append(
            map_block(
                language,
                "map small",
                point=f"{report.lat:.6f},{report.lon:.6f}",
                status=report.status,
            )
        )
        body.append(self.additions(staff, events, added))
        required = services.cases.after_photo_required(report)
        body.append(
            forms(
                language,
                report,
                staff.session_token,
                staff.admin,
                draft,
                photo_required=required,
            )
        )
        body.append(self.photo_groups(staff, photos))
        body.append(f"<h2>{text(language, 'history')}</h2>")
        body.append(self.history(staff, events, added))
        body.append(f"<p>{link('/staff', {'lang': language}, plain(language, 'web.back'))}</p>")
        return "".join(body)

    def additions(self, staff: Staff, events: list[ReportEvent], added: frozenset[int]) -> str:
        """What the reporter sent after filing (issue 10), in a box of its own near the top:
        it may change what an officer does, and the history alone buries it among the statuses
        (where these lines are marked too)."""
        language = staff.language
        mine = [event for event in events if event.id in added]
        if not mine:
            return ""
        items = []
        for event in mine:
            what = esc(event.note or "")
            if event.photo_file_id:
                what += _thumbnail(event.photo_file_id, plain(language, "additions.web_photo"))
            items.append(f"<li><time>{esc(local_time(self.services, event.at))}</time> {what}</li>")
        heading = text(language, "additions", count=len(mine))
        return f'<section class="additions"><h2>{heading}</h2><ul>{"".join(items)}</ul></section>'

    def photo_groups(self, staff: Staff, photos: list[ReportPhoto]) -> str:
        """The photos by who took them: the reporter's at filing, the reporter's later, the
        officers' (the "after" photos)."""
        language = staff.language
        parts = [f"<h2>{text(language, 'photos')}</h2>"]
        if not photos:
            parts.append(f"<p>{text(language, 'no_photos')}</p>")
        roles = [role for role in PHOTO_ROLES if any(p.role == role for p in photos)]
        roles += sorted({p.role for p in photos} - set(PHOTO_ROLES))
        for role in roles:
            label = plain(language, f"web.photos_{role}") if role in PHOTO_ROLES else role
            images = "".join(
                f'<a href="{photo_src(photo.file_id)}">'
                f'<img src="{photo_src(photo.file_id)}" alt="{esc(label)}" loading="lazy"></a>'
                for photo in photos
                if photo.role == role
            )
            parts.append(f'<h3>{esc(label)}</h3><div class="photos">{images}</div>')
        return "".join(parts)

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
        return table(headings, rows, "cards history")


def privacy_mark(language: str, report: Report) -> str:
    """The list's mark beside a number: "🔒 Rahasia" or "🕶️ Anonim" (none for a normal one)."""
    mode = privacy.of(report.visibility)
    if mode is privacy.Visibility.PUBLIC:
        return ""
    return f' <span class="privacy">{esc(plain(language, f"privacy.name_{mode}"))}</span>'


def reporter_cell(language: str, report: Report) -> str:
    """Who filed it, for staff: name, username and a link to their Telegram profile where
    the mode shows the reporter; an anonymous report says so and shows nothing of them (its
    row keeps nothing). An agency's request shows its contact under "Kontak" instead."""
    if not privacy.shows_reporter(report.visibility):
        return esc(plain(language, "privacy.web_anonymous"))
    name, username = report.reporter_name, report.reporter_username
    if not name and not username:
        return esc(plain(language, "privacy.web_unknown"))
    shown = esc(name or "") + (f" @{esc(username)}" if username else "")
    profile = f"tg://user?id={report.citizen_id}"
    return f'<a href="{esc(profile)}">{shown.strip()}</a>'


def photo_src(file_id: str) -> str:
    """A photo's address on the staff pages. A photo uploaded from the web or the case CLI is
    a file beside the database until its first send to Telegram (its id ``local:<path>``): its
    address names it by the file's name, never by the server's path."""
    if file_id.startswith(LOCAL_PHOTO_PREFIX):
        name = Path(file_id.removeprefix(LOCAL_PHOTO_PREFIX)).stem
        return f"/staff/photos/{esc(LOCAL_PHOTO_PREFIX + name)}"
    return f"/staff/photos/{esc(file_id)}"


def _thumbnail(file_id: str, alt: str) -> str:
    """A history line's photo, through the staff photo route (which checks who may see it)."""
    src = photo_src(file_id)
    return f' <a href="{src}"><img class="thumb" src="{src}" alt="{esc(alt)}" loading="lazy"></a>'


def shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
