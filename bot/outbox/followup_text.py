"""The words of a follow-up: who acted on the report, and what happens next, in plain words.

Why a module of its own: "🔔 #1001: 👀 Diterima" over an address line read like a status code and
a place, not like news. Each status change now has one sentence saying who did what ("sudah
diterima petugas Kelurahan Gambir") and one saying what comes next ("Kami kabari lagi saat mulai
dikerjakan", or for a rejection what the citizen can do), at most three short lines with the
officer's note between them. Followers read the same news about "the report you follow"; only
what is asked of the reporter (say whether it is fixed) differs.

Who acted, as a citizen is told it: officers, admins and agencies are "the officers of <their
kelurahan>" (an officer's own name stays inside the group, and an agency's key name is a label
for the operator, e.g. "agency (CLI)"); the scheduler is the rule it applied; a citizen actor is
the reporter (they answered the survey).
"""

from __future__ import annotations

from bot.domain import statuses
from bot.i18n import Html, t
from bot.services import Services
from bot.telegram.message_length import fit_text
from storage.reports import Report, ReportEvent

#: The sentence for a status, by who made the change when that changes the sentence.
_BY_ACTOR = {
    (statuses.CLOSED, "citizen"): "followup.closed_citizen",
    (statuses.CLOSED, "system"): "followup.closed_system",
    (statuses.REOPENED, "citizen"): "followup.reopened_citizen",
    (statuses.WITHDRAWN, "citizen"): "followup.withdrawn",
}
_HEADS = {
    statuses.ACKNOWLEDGED: "followup.acknowledged",
    statuses.IN_PROGRESS: "followup.in_progress",
    statuses.RESOLVED: "followup.resolved",
    statuses.CLOSED: "followup.closed",
    statuses.REJECTED: "followup.rejected",
    statuses.DUPLICATE: "followup.duplicate",
    statuses.REOPENED: "followup.reopened",
}
#: What happens next, when the sentence does not say it already; by (status, reporter?).
_NEXT = {
    (statuses.RESOLVED, True): "followup.resolved_next_reporter",
    (statuses.RESOLVED, False): "followup.resolved_next_follower",
    (statuses.REJECTED, True): "followup.rejected_next",
    (statuses.REJECTED, False): "followup.rejected_next",
    (statuses.REOPENED, False): "followup.reopened_citizen_next",
    (statuses.WITHDRAWN, False): "followup.withdrawn_next",
}
_AGAIN = "followup.closed_next"  # a closed report: a new one if the problem comes back


def unit_label(services: Services, report: Report, language: str) -> Html:
    """The office answering for the report, as people name it: "Kelurahan Gambir" (a unit, not
    the three-part address line, which reads like a place)."""
    area = services.areas.by_code.get(report.area_code or "")
    if area is None:
        return t(language, "followup.unit_outside")
    return t(language, "report.place_short_area", kelurahan=area.name)


def officers_label(services: Services, report: Report, language: str) -> Html:
    """Who acts on the report, as the citizen is told: "petugas Kelurahan Gambir"."""
    return t(language, "followup.officers", unit=unit_label(services, report, language))


def _subject(services: Services, report: Report, language: str, *, reporter: bool) -> Html:
    category = services.categories.get(report.category_key)
    return t(
        language,
        "followup.subject_own" if reporter else "followup.subject_followed",
        ref=report.id,
        category=category.label(language) if category else report.category_key,
    )


def _next_key(report: Report, event: ReportEvent, *, reporter: bool) -> str | None:
    status = event.new_status
    if status == statuses.RESOLVED and reporter and report.status != statuses.RESOLVED:
        return None  # sent late, after a reopen: no "Not fixed" button to point at any more
    if status == statuses.CLOSED and event.actor_kind != "citizen":
        return _AGAIN
    if status == statuses.REOPENED and event.actor_kind != "citizen":
        return None  # the sentence says it: "we will tell you when it is handled"
    return _NEXT.get((status, reporter))


def status_text(
    services: Services,
    report: Report,
    event: ReportEvent,
    language: str,
    *,
    reporter: bool,
    limit: int,
) -> Html:
    """A status change: who did what, the note (a rejection's reason), what happens next."""
    status = event.new_status
    head_key = _BY_ACTOR.get((status, event.actor_kind)) or _HEADS.get(status, "followup.changed")
    head = t(
        language,
        head_key,
        subject=_subject(services, report, language, reporter=reporter),
        who=officers_label(services, report, language),
        original=report.duplicate_of or "",
        status=t(language, f"status.{status}"),
    )
    tail: list[Html] = []
    if status == statuses.DUPLICATE and report.duplicate_of:
        tail.append(t(language, "followup.duplicate_next", original=report.duplicate_of))
    next_key = _next_key(report, event, reporter=reporter)
    if next_key is not None:
        tail.append(t(language, next_key))
    note_key = "followup.reason" if status == statuses.REJECTED else "followup.note"

    def build(note: str) -> Html:
        middle = [t(language, note_key, note=note)] if note else []
        return Html("\n".join([head, *middle, *tail]))

    # A withdrawal's reason is the reporter's own words: for the officers, not the followers.
    note = "" if status == statuses.WITHDRAWN else event.note or ""
    return fit_text(build, note, limit)


def followup_text(
    services: Services,
    report: Report,
    event: ReportEvent,
    language: str,
    *,
    reporter: bool,
    limit: int,
) -> Html:
    """The text of any follow-up: a status change, or a note or photo that keeps the status."""
    if event.old_status != event.new_status:
        return status_text(services, report, event, language, reporter=reporter, limit=limit)
    if event.actor_kind == "citizen":
        if not event.note:
            return t(language, "followup.citizen_photo", ref=report.id)
        return fit_text(
            lambda note: t(language, "followup.citizen_note", ref=report.id, note=note),
            event.note,
            limit,
        )
    unit = unit_label(services, report, language)
    if event.note:
        return fit_text(
            lambda note: t(language, "followup.note_only", ref=report.id, unit=unit, note=note),
            event.note,
            limit,
        )
    return t(language, "followup.photo_only", ref=report.id, unit=unit)
