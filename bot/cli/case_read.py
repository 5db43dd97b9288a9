"""``case show`` and ``case list``: reports as staff read them in a terminal.

Why so careful with the text: descriptions and notes are what citizens typed, printed to a
terminal, so control characters and bidi overrides are dropped (:func:`clean`). The citizen's
Telegram id is never printed: staff read "citizen", and the name the reporter had on Telegram
only where the report's privacy mode shows the reporter (bot/domain/privacy.py).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.cli.usage import UsageError
from bot.domain import privacy
from bot.geo.directory import codes_in
from storage.report_query import ReportQuery
from storage.reports import Report, ReportEvent

if TYPE_CHECKING:
    from bot.geo.directory import ScopeChoice
    from bot.services import Services

_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


async def show(services: Services, ref: int) -> None:
    from bot.outbox.renderers import local_time

    report = await services.store.reports.get(ref)
    if report is None:
        raise UsageError(f"report #{ref} not found")
    photos = await services.store.reports.photos(ref)
    from_citizen = sum(1 for photo in photos if photo.role == "citizen")
    lines = [
        f"Report #{report.id}",
        f"  Category:    {_category(services, report)} ({report.category_key})",
        f"  Status:      {report.status}",
        f"  Privacy:     {_privacy(report)}",
        f"  Place:       {_place(services, report)}",
    ]
    if (reporter := _reporter(report)) is not None:
        lines.append(f"  Reporter:    {reporter}")
    address = ", ".join(one_line(part) for part in (report.place_name, report.address) if part)
    if address:
        lines.append(f"  Address:     {address}")
    lines += [
        f"  Location:    {report.lat:.5f}, {report.lon:.5f}",
        f"  Created:     {local_time(services, report.created_at)}",
        f"  Updated:     {local_time(services, report.updated_at)}",
        f"  Supporters:  {report.supporters}",
        f"  Photos:      {len(photos)} ({from_citizen} from the citizen,"
        f" {len(photos) - from_citizen} from staff)",
    ]
    for kept in await services.store.evidence.of_report(ref):  # bot/domain/evidence.py
        why = (
            f" ({one_line(kept.last_error)})" if kept.last_error and kept.state != "stored" else ""
        )
        lines.append(f"  Evidence:    {kept.role}: {kept.state}{why} {kept.sha256 or ''}".rstrip())
    if report.duplicate_of:
        lines.append(f"  Duplicate:   of #{report.duplicate_of}")
    description = clean(report.description).splitlines() or [""]
    lines.append(f"  Description: {description[0]}")
    lines += [f"               {line}" for line in description[1:]]
    lines += await _request_lines(services, report)
    lines.append("History:")
    for event in await services.store.reports.events(ref):
        lines.append(f"  {local_time(services, event.at)}  {history_line(event)}")
    print("\n".join(lines))


async def _request_lines(services: Services, report: Report) -> list[str]:
    """An agency's Open311 request: who filed it, its answers, and the reporter's contact as
    the agency gave it (the staff's terminal is where the phone number may be read)."""
    from bot.domain.attributes import answered

    details = await services.store.request_details.details(report.id)
    if details is None:
        return []
    lines = [f"  Filed by:    {one_line(details.agency)} (Open311)"]
    category = services.categories.get(report.category_key)
    if category is not None:
        for question, answer in answered(category.attributes, details.extras.answers, "en"):
            lines.append(f"  Answer:      {one_line(question)}: {one_line(answer)}")
    contact = details.extras.contact
    for label, value in (
        ("Name", " ".join(part for part in (contact.first_name, contact.last_name) if part)),
        ("E-mail", contact.email),
        ("Phone", contact.phone),
        ("Account id", contact.account_id),
        ("Device id", contact.device_id),
    ):
        if value:
            lines.append(f"  {label + ':':<13}{one_line(value)}")
    if details.extras.media_url:
        lines.append(f"  Media URL:   {one_line(details.extras.media_url)}")
    return lines


def history_line(event: ReportEvent) -> str:
    """Who, what, and the note; never the citizen's id (staff need the story, not the person)."""
    if event.actor_kind == "citizen":
        actor = "citizen"
    else:
        actor = one_line(event.actor_name or "") or event.actor_kind
    if event.old_status is None:
        change = f"filed: {event.new_status}"
    elif event.old_status != event.new_status:
        change = f"{event.old_status} → {event.new_status}"
    else:
        change = "note"
    parts = [f"{actor:<16} {change}"]
    if event.note:
        parts.append(f'"{one_line(event.note)}"')
    if event.photo_file_id:
        parts.append("[photo]")
    return "  ".join(parts)


async def list_reports(
    services: Services, area: str | None, status: str | None, limit: int
) -> None:
    codes: list[str] | None = None
    scope_text = "anywhere"
    if area is not None:
        choices = services.directory.resolve(area)
        if not choices:
            hints = [_scope_label(choice) for choice in services.directory.suggest(area)]
            hint = f"; did you mean: {', '.join(hints)}?" if hints else ""
            raise UsageError(f"unknown area {area!r}{hint}")
        codes = _area_codes(services, choices)
        scope_text = ", ".join(_scope_label(choice) for choice in choices)
    query = ReportQuery(
        area_codes=None if codes is None else tuple(codes),
        statuses=None if status is None else (status,),
    )
    reports = await services.store.reports.search(query, limit=limit)
    now = datetime.now(UTC)
    print(
        f"{len(reports)} report(s), newest first; area: {scope_text};"
        f" status: {status or 'any'}; limit: {limit}"
    )
    for report in reports:
        place = services.areas.by_code.get(report.area_code or "")
        print(
            f"#{report.id:<7} {report.status:<12} {_category(services, report):<22}"
            f" {place.name if place else '(outside)':<24} {age(report.created_at, now)}"
            + _mark(report)
        )


def _area_codes(services: Services, choices: list[ScopeChoice]) -> list[str]:
    """Every kelurahan under any of the matches: "Gambir" is a kelurahan and its kecamatan."""
    return sorted(codes_in(services.areas.areas, (choice.scope for choice in choices)))


def _scope_label(choice: ScopeChoice) -> str:
    if choice.scope.kind == "kelurahan":
        return f"Kel. {choice.name} (Kec. {choice.parent})"
    if choice.scope.kind == "kecamatan":
        return f"Kec. {choice.name}, {choice.parent} ({choice.size} kelurahan)"
    return f"{choice.name} ({choice.size} kelurahan)"


def _privacy(report: Report) -> str:
    mode = privacy.of(report.visibility)
    return {
        privacy.Visibility.PUBLIC: "normal",
        privacy.Visibility.ANONYMOUS: "anonymous (the reporter's identity is hidden)",
        privacy.Visibility.CONFIDENTIAL: "confidential (not published; staff of its area only)",
    }[mode]


def _reporter(report: Report) -> str | None:
    """The reporter's Telegram name and username, where the mode shows them and they were kept
    (an anonymous report keeps none; an agency's request prints its contact below)."""
    if not privacy.shows_reporter(report.visibility):
        return "anonymous"
    parts = [
        one_line(report.reporter_name or ""),
        f"@{one_line(report.reporter_username)}" if report.reporter_username else "",
    ]
    shown = " ".join(part for part in parts if part)
    return shown or None


def _mark(report: Report) -> str:
    mode = privacy.of(report.visibility)
    return "" if mode is privacy.Visibility.PUBLIC else f"  [{mode.value}]"


def _category(services: Services, report: Report) -> str:
    category = services.categories.get(report.category_key)
    return category.name("en") if category else report.category_key


def _place(services: Services, report: Report) -> str:
    area = services.areas.by_code.get(report.area_code or "")
    if area is None:
        return "outside the service area"
    return f"Kel. {area.name}, Kec. {area.district}, {area.city} [{area.code}]"


def age(iso: str, now: datetime) -> str:
    seconds = max(0, int((now - datetime.fromisoformat(iso)).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def clean(text: str) -> str:
    """Citizen text is printed to a terminal: drop control characters (escape sequences could
    rewrite the screen) and bidi overrides (they could make a line read differently)."""
    return "".join(
        ch
        for ch in text.replace("\r\n", "\n").replace("\t", " ")
        if ch == "\n" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    )


def one_line(text: str) -> str:
    return " / ".join(part.strip() for part in clean(text).splitlines() if part.strip())
