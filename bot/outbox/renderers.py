"""Renders the asynchronous messages (alert cards, follow-ups) from the current state of a report.

Rendered at send time, not when enqueued: a card refreshed after three quick presses shows the
latest status once, and a follow-up speaks the citizen's language of the moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import moments
from bot.domain import statuses
from bot.domain.alerts import OUTSIDE, UNCOVERED
from bot.domain.attributes import answered
from bot.geo.places import area_label, place_label
from bot.i18n import Html, plain, t
from bot.outbox.addition_views import card_additions
from bot.outbox.followup_text import followup_text, officers_label
from bot.services import Services
from bot.telegram.callbacks import STATUS, SURVEY, VIEW_REPORT, Answer, ReportRef, Status
from bot.telegram.message_length import CAPTION_LIMIT, TEXT_LIMIT, fit_text, shorten
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


def status_keyboard(report: Report, language: str) -> InlineKeyboardMarkup | None:
    rows = _button_rows(report.status)
    if rows is None:
        return None
    return InlineKeyboardMarkup(
        [
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
    )


async def alert_card(services: Services, report: Report, reason: str | None = None) -> Rendered:
    language = services.settings.default_language
    lines = [
        t(
            language,
            "alert.card",
            ref=report.id,
            category=category_label(services, report, language),
            place=place_label(
                services.areas,
                report.lat,
                report.lon,
                report.place_name,
                language,
                report.address,
            ),
            # An agency's may be 4,000 characters (Open311's limit); a citizen's is 1,000.
            description=shorten(report.description, CARD_DESCRIPTION),
            status=t(language, f"status.{report.status}"),
        )
    ]
    if report.supporters:
        lines.append(t(language, "alert.supporters", count=report.supporters))
    category = services.categories.get(report.category_key)
    if category is not None and category.attributes:  # an Open311 request's answers
        stored = await services.store.request_details.answers(report.id)
        for question, answer in answered(category.attributes, stored, language):
            lines.append(t(language, "alert.answer", question=question, answer=answer))
    additions = await card_additions(services, report, language)  # the reporter's, after filing
    lines += additions.lines
    events = await services.store.reports.events(report.id)
    events = [event for event in events if event.id not in additions.event_ids]
    last = events[-1] if len(events) > 1 else None  # the first event is the report itself
    if last is not None:
        actor = (
            t(language, "alert.reporter")
            if last.actor_kind == "citizen"
            else last.actor_name or last.actor_kind
        )
        lines.append(
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

    def build(note: str) -> Html:
        middle = [t(language, "alert.last_note", note=note)] if note else []
        return Html("\n".join([*lines, *middle, *tail]))

    text = fit_text(build, last.note if last is not None and last.note else "")
    return Rendered(text, status_keyboard(report, language))


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
