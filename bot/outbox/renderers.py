"""Renders the asynchronous messages (alert cards, follow-ups) from the current state of a report.

Rendered at send time, not when enqueued: a card refreshed after three quick presses shows the
latest status once, and a follow-up speaks the citizen's language of the moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import moments
from bot.domain import privacy, statuses
from bot.domain.alerts import OUTSIDE, UNCOVERED
from bot.domain.attributes import answered
from bot.geo.maps import osm_url
from bot.geo.places import area_label, place_label
from bot.i18n import Html, plain, t
from bot.outbox.addition_views import CARD_TIME, card_additions
from bot.outbox.followup_text import followup_text, officers_label
from bot.services import Services
from bot.telegram.callbacks import (
    HANDOFF,
    STATUS,
    SURVEY,
    VIEW_REPORT,
    Answer,
    ReportRef,
    Status,
)
from bot.telegram.message_length import CAPTION_LIMIT, TEXT_LIMIT, fit_text, fits, shorten
from storage.outbox import OutboxKind
from storage.reports import Report, ReportEvent

STATUS_ACTIONS = {
    "ack": "acknowledged",
    "prog": "in_progress",
    "res": "resolved",
    "rej": "rejected",
    "dup": "duplicate",
}
_BUTTONS = {
    "ack": "alert.acknowledge",
    "prog": "alert.in_progress",
    "res": "alert.resolve",
    "rej": "alert.reject",
    "dup": "alert.duplicate",
}
#: The card's two rows of buttons: taking the case up, then closing it. Which of them a card shows
#: is the officer's moves from the report's status (``bot.domain.statuses.moves``).
_BUTTON_ROWS = (("ack", "prog"), ("res", "rej", "dup"))
#: The card shows this much of a description, leaving room for the rest within 4,096.
CARD_DESCRIPTION = 1500


def _button_rows(status: str) -> tuple[tuple[str, ...], ...] | None:
    allowed = statuses.moves(status, "officer")
    if not allowed:
        return None
    return tuple(
        tuple(action for action in row if STATUS_ACTIONS[action] in allowed) for row in _BUTTON_ROWS
    )


@dataclass(frozen=True)
class Rendered:
    text: Html
    markup: InlineKeyboardMarkup | None = None
    photo_file_id: str | None = None


def local_time(services: Services, iso: str, fmt: str = moments.DATE_TIME) -> str:
    return moments.local_time(services.settings.tz, iso, fmt)


def category_label(services: Services, report: Report, language: str) -> str:
    category = services.categories.get(report.category_key)
    return category.label(language) if category else report.category_key


def status_keyboard(
    report: Report, language: str, *, handoff: bool = False
) -> InlineKeyboardMarkup | None:
    """The status buttons an officer may press now; ``handoff``: and "↪️ Serahkan", when there
    is an agency to hand the report to (bot/domain/handoffs.py)."""
    rows = _button_rows(report.status)
    if rows is None:
        return None
    keyboard = [
        [
            InlineKeyboardButton(
                plain(language, _BUTTONS[action]),
                callback_data=STATUS.data(Status(report.id, STATUS_ACTIONS[action])),
            )
            for action in row
        ]
        for row in rows
        if row
    ]
    if handoff:
        answer = Answer(report.id, "ask")
        keyboard.append(
            [
                InlineKeyboardButton(
                    plain(language, "handoff.button"), callback_data=HANDOFF.data(answer)
                )
            ]
        )
    return InlineKeyboardMarkup(keyboard)


#: The least of a description a shortened card keeps before its notes and answers are cut too.
MIN_DESCRIPTION = 120
#: How far the variable parts of a card that must fit a caption are cut, in turn: (the officers'
#: last note, each Open311 answer). The facts (number, place, times, status) are never cut.
_CAPTION_CUTS: tuple[tuple[int | None, int | None], ...] = ((None, None), (200, 200), (80, 80))


async def citizen_photos(services: Services, report: Report) -> list[str]:
    """The reporter's photos (file ids), in the order they were sent: the card shows the first."""
    photos = await services.store.reports.photos(report.id)
    return [photo.file_id for photo in photos if photo.role == "citizen"]


def sla_line(services: Services, report: Report, language: str) -> Html | None:
    """When the officers must acknowledge by, while the report waits for them (the SLA is the
    time to acknowledge, bot/data/categories.toml), and whether that moment has passed."""
    if report.status not in statuses.WAITING or report.sla_started_at is None:
        return None
    category = services.categories.get(report.category_key)
    if category is None:
        return None
    deadline = datetime.fromisoformat(report.sla_started_at) + timedelta(hours=category.sla_hours)
    at = local_time(services, deadline.isoformat(), CARD_TIME)
    overdue = services.clock.now() >= deadline
    return t(language, "alert.sla_overdue" if overdue else "alert.sla_deadline", deadline=at)


def reporter_html(report: Report, language: str) -> Html | None:
    """Who filed the report, for staff, linked to their Telegram profile: only where the mode
    shows the reporter and a name was kept (never for an anonymous report, whose row keeps
    none; an agency's request has its contact on the staff page instead)."""
    if not privacy.shows_reporter(report.visibility):
        return None
    name, username = report.reporter_name, report.reporter_username
    if not name and not username:
        return None
    shown = t(language, "alert.officer_mention", id=report.citizen_id, name=name or f"@{username}")
    if name and username:
        shown = Html(f"{shown} {t(language, 'privacy.username', username=username)}")
    return shown


def privacy_lines(report: Report, language: str) -> list[Html]:
    """The card's privacy facts: the "🔒 Rahasia" mark, and the reporter (or that they are
    anonymous)."""
    lines: list[Html] = []
    if privacy.of(report.visibility) is privacy.Visibility.CONFIDENTIAL:
        lines.append(t(language, "privacy.card_confidential"))
    if not privacy.shows_reporter(report.visibility):
        lines.append(t(language, "privacy.card_anonymous"))
    elif (reporter := reporter_html(report, language)) is not None:
        lines.append(t(language, "privacy.card_reporter", reporter=reporter))
    return lines


async def alert_card(
    services: Services,
    report: Report,
    reason: str | None = None,
    *,
    captioned: bool = False,
    notice: Html | None = None,
) -> Rendered:
    """The card as it is now: a photo's caption (``captioned``, within 1,024 characters) or a
    text. ``notice`` ends a card that is no longer the live one (a reopened report's old card):
    it then has no buttons."""
    language = services.settings.default_language
    photos = await citizen_photos(services, report) if captioned else []
    head = {
        "ref": report.id,
        "category": category_label(services, report, language),
        "place": place_label(
            services.areas, report.lat, report.lon, report.place_name, language, report.address
        ),
        "map": osm_url(report.lat, report.lon),
        "reported": local_time(services, report.created_at, CARD_TIME),
        "status": t(language, f"status.{report.status}"),
    }
    facts: list[Html] = privacy_lines(report, language)
    if (sla := sla_line(services, report, language)) is not None:
        facts.append(sla)
    if len(photos) > 1:
        facts.append(t(language, "alert.more_photos_line", count=len(photos)))
    if report.supporters:
        facts.append(t(language, "alert.supporters", count=report.supporters))
    category = services.categories.get(report.category_key)
    answers: list[tuple[str, str]] = []
    if category is not None and category.attributes:  # an Open311 request's answers
        stored = await services.store.request_details.answers(report.id)
        answers = answered(category.attributes, stored, language)
    additions = await card_additions(services, report, language)  # the reporter's, after filing
    events = await services.store.reports.events(report.id)
    events = [event for event in events if event.id not in additions.event_ids]
    last = events[-1] if len(events) > 1 else None  # the first event is the report itself
    changes: list[Html] = list(additions.lines)
    if last is not None:
        actor = (
            t(language, "alert.reporter")
            if last.actor_kind == "citizen"
            else last.actor_name or last.actor_kind
        )
        changes.append(
            t(
                language,
                "alert.last_change",
                status=t(language, f"status.{last.new_status}"),
                actor=actor,
                at=local_time(services, last.at),
            )
        )
    tail = []
    if reason == OUTSIDE:
        tail.append(t(language, "alert.outside"))
    elif reason == UNCOVERED:
        area = services.areas.by_code.get(report.area_code or "")
        tail.append(t(language, "alert.uncovered", area=area_label(area, language)))
    if notice is not None:
        tail.append(notice)
    note = last.note if last is not None and last.note else ""

    def build(description: str, note: str, answer_max: int | None) -> Html:
        lines = [t(language, "alert.card", description=description, **head), *facts]
        for question, answer in answers:
            shown = shorten(answer, answer_max) if answer_max is not None else answer
            lines.append(t(language, "alert.answer", question=question, answer=shown))
        lines += changes
        if note:
            lines.append(t(language, "alert.last_note", note=note))
        return Html("\n".join([*lines, *tail]))

    def cut(note_max: int | None, answer_max: int | None) -> Callable[[str], Html]:
        kept = shorten(note, note_max) if note_max is not None else note
        return lambda description: build(description, kept, answer_max)

    # An agency's may be 4,000 characters (Open311's limit); a citizen's is 1,000.
    description = shorten(report.description, CARD_DESCRIPTION)
    limit = CAPTION_LIMIT if captioned else TEXT_LIMIT
    builds = [cut(*cuts) for cuts in (_CAPTION_CUTS if captioned else ((None, None),))]
    enough = shorten(description, MIN_DESCRIPTION)
    chosen = next((b for b in builds[:-1] if fits(b(enough), limit)), builds[-1])
    text = fit_text(chosen, description, limit)
    handoff = notice is None and await services.store.agencies.exist()
    markup = status_keyboard(report, language, handoff=handoff) if notice is None else None
    return Rendered(text, markup, photos[0] if photos else None)


def not_fixed_button(report_id: int, language: str) -> InlineKeyboardButton:
    """The reporter's "❌ Not fixed" on a resolved report (reopens it; handlers/survey.py checks
    that the one pressing it is the reporter)."""
    return InlineKeyboardButton(
        plain(language, "followup.not_fixed"),
        callback_data=SURVEY.data(Answer(report_id, "not-fixed")),
    )


def followup_keyboard(report: Report, language: str, *, reporter: bool) -> InlineKeyboardMarkup:
    """Everyone told may view the report; only the reporter gets "Not fixed", and only while the
    report is still resolved (the keyboard is built at send time)."""
    buttons = [
        InlineKeyboardButton(
            plain(language, "followup.view"),
            callback_data=VIEW_REPORT.data(ReportRef(report.id)),
        )
    ]
    if reporter and report.status == statuses.RESOLVED:
        buttons.append(not_fixed_button(report.id, language))
    return InlineKeyboardMarkup([buttons])


def followup_message(
    services: Services, report: Report, event: ReportEvent, language: str, *, reporter: bool
) -> Rendered:
    """A follow-up for the reporter (``reporter``) or for a follower, who reads it as news of a
    report they follow and gets no button only the reporter may press."""
    limit = CAPTION_LIMIT if event.photo_file_id else TEXT_LIMIT  # a photo's text is a caption
    text = followup_text(services, report, event, language, reporter=reporter, limit=limit)
    return Rendered(
        text, followup_keyboard(report, language, reporter=reporter), event.photo_file_id
    )


def _hours_since(services: Services, iso: str | None) -> int:
    if iso is None:
        return 0
    return int((services.clock.now() - datetime.fromisoformat(iso)).total_seconds() // 3600)


def sla_message(services: Services, report: Report, kind: OutboxKind) -> Rendered:
    """A reminder or an escalation, in the groups' language, with the status buttons."""
    language = services.settings.default_language
    category = services.categories.get(report.category_key)
    area = services.areas.by_code.get(report.area_code or "")
    text = t(
        language,
        "sla.reminder" if kind is OutboxKind.SLA_REMINDER else "sla.escalation",
        ref=report.id,
        category=category_label(services, report, language),
        place=area_label(area, language),
        hours=_hours_since(services, report.sla_started_at),
        sla=category.sla_hours if category else "?",
    )
    return Rendered(text, status_keyboard(report, language))


def survey_message(services: Services, report: Report, language: str) -> Rendered:
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(language, "survey.fixed"),
                    callback_data=SURVEY.data(Answer(report.id, "fixed")),
                ),
                InlineKeyboardButton(
                    plain(language, "survey.not_fixed"),
                    callback_data=SURVEY.data(Answer(report.id, "not-fixed")),
                ),
            ]
        ]
    )
    text = t(
        language,
        "survey.question",
        ref=report.id,
        category=category_label(services, report, language),
        who=officers_label(services, report, language),
    )
    return Rendered(text, markup)


def overdue_hours(services: Services, report: Report) -> int | None:
    """The category's SLA when the report waits past it for an acknowledgement, else None."""
    if report.status not in statuses.WAITING or report.sla_started_at is None:
        return None
    category = services.categories.get(report.category_key)
    if category is None:
        return None
    waited = _hours_since(services, report.sla_started_at)
    return category.sla_hours if waited >= category.sla_hours else None
