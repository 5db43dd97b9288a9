"""How a reporter's additions show outside their own conversation: the "➕ Add information"
button on follow-ups and ``/status``, the line on the officers' alert card, and the notice the
groups get.

Why one module: the follow-ups, ``/status`` and the card each have their own renderer; each
takes what it needs from here in a line, so the feature reads in one place and those renderers
stay theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import moments
from bot.domain.additions import refusal
from bot.i18n import Html, plain, t
from bot.services import Services
from bot.telegram.callbacks import ADD_INFO, Answer
from bot.telegram.message_length import CAPTION_LIMIT, TEXT_LIMIT, fit_text, shorten
from storage.citizen_updates import CitizenUpdate
from storage.reports import Report, ReportEvent

CARD_NOTE_CHARS = 160  # the latest addition on a card: enough to recognise it
CARD_TIME = "%d/%m %H:%M"  # the card's line is short: the year goes without saying


def add_info_button(
    report: Report, recipient_id: int, language: str
) -> InlineKeyboardButton | None:
    """The button, for the reporter of a report that still takes additions; else None (a
    follower never gets a reporter-only button)."""
    if refusal(report, recipient_id) is not None:
        return None
    return InlineKeyboardButton(
        plain(language, "additions.button"),
        callback_data=ADD_INFO.data(Answer(report.id, "add")),
    )


def with_add_info(
    markup: InlineKeyboardMarkup | None, report: Report, recipient_id: int, language: str
) -> InlineKeyboardMarkup | None:
    """``markup`` with the button in a row of its own below (when ``recipient_id`` may add)."""
    button = add_info_button(report, recipient_id, language)
    if button is None:
        return markup
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    return InlineKeyboardMarkup([*rows, [button]])


@dataclass(frozen=True)
class CardAdditions:
    lines: list[Html]
    #: The history events that are additions: the card's "last change" is an officer's.
    event_ids: frozenset[int]


async def card_additions(services: Services, report: Report, language: str) -> CardAdditions:
    """The card's line: how many additions (an album once), when the latest came and what."""
    summary = await services.store.citizen_updates.summary(report.id)
    latest = summary.latest
    if latest is None:
        return CardAdditions([], summary.event_ids)
    what = (
        shorten(latest.note, CARD_NOTE_CHARS)
        if latest.note
        else plain(language, "additions.card_photo")
    )
    line = t(
        language,
        "additions.card_line",
        count=summary.count,
        at=moments.local_time(services.settings.tz, latest.created_at, CARD_TIME),
        latest=what,
    )
    return CardAdditions([line], summary.event_ids)


def history_line(at: str, event: ReportEvent, language: str, note_max: int | None) -> Html:
    """An addition in its reporter's ``/status`` history: theirs, not a change of status."""
    note = event.note or ""
    if note_max is not None:
        note = shorten(note, note_max)
    photo = plain(language, "additions.card_photo") if event.photo_file_id else ""
    return t(
        language, "additions.history_line", at=at, what=" ".join(p for p in (note, photo) if p)
    )


def notice_text(
    services: Services, report: Report, updates: list[CitizenUpdate], language: str
) -> Html:
    """The group's notice: whose and for which report, how many photos, the words."""
    category = services.categories.get(report.category_key)
    head = t(
        language,
        "additions.notice",
        ref=report.id,
        category=category.label(language) if category else report.category_key,
    )
    photos = sum(1 for update in updates if update.photo_file_id)
    notes = "\n".join(update.note for update in updates if update.note)

    def build(note: str) -> Html:
        lines = [head]
        if photos:
            lines.append(t(language, "additions.notice_photos", count=photos))
        if note:
            lines.append(t(language, "additions.notice_note", note=note))
        return Html("\n".join(lines))

    return fit_text(build, notes, CAPTION_LIMIT if photos else TEXT_LIMIT)
