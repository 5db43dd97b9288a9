"""/status and /myreports: a citizen keeps track of the reports they filed and those they follow.

Three readers see three things. The reporter, in their private chat, sees everything (their words,
photos, place, the whole history) and the buttons only a reporter may press. A follower (a
neighbour who said "same problem", or a reporter whose duplicate was folded into this report)
sees what their follow-ups told them: the status, the kelurahan and what the officers did, never
the reporter's words, photos or exact place. Anyone else, and any group, sees only the public
part: category, kelurahan and status.
"""

from __future__ import annotations

import contextlib
import enum
import math
import re
from collections.abc import Callable

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import moments
from bot.geo.places import area_label, place_label
from bot.i18n import Html, t
from bot.outbox.addition_views import history_line as addition_history_line
from bot.outbox.renderers import not_fixed_button, overdue_hours
from bot.telegram import callbacks
from bot.telegram.callbacks import ButtonKind, Page, ReportRef
from bot.telegram.context import BotContext
from bot.telegram.message_length import fit_history, shorten
from handlers import add_info, keyboards, withdraw
from handlers.narrow import chat_of, message_of, query_of, user_of
from handlers.people import language_of
from storage.reports import Report, ReportEvent

PAGE_SIZE = 5
_REFERENCE = re.compile(r"^#?(\d{1,12})$")


class Viewer(enum.Enum):
    """Who is reading a report, which decides what they see and which buttons they get."""

    REPORTER = "reporter"  # in their private chat
    FOLLOWER = "follower"  # in their private chat
    PUBLIC = "public"  # anyone else, and every group


def _local(context: BotContext, iso: str, fmt: str = moments.DATE_TIME) -> str:
    return moments.local_time(context.services.settings.tz, iso, fmt)


async def viewer_of(context: BotContext, report: Report, user_id: int, chat: Chat) -> Viewer:
    """Decided on the server for every answer: a button or a forwarded message proves nothing."""
    if chat.type != Chat.PRIVATE:
        return Viewer.PUBLIC
    if report.citizen_id == user_id:
        return Viewer.REPORTER
    if await context.services.store.reports.is_follower(report.id, user_id):
        return Viewer.FOLLOWER
    return Viewer.PUBLIC


def _category_label(context: BotContext, report: Report, language: str) -> str:
    category = context.services.categories.get(report.category_key)
    return category.label(language) if category else report.category_key


def _status_line(context: BotContext, report: Report, language: str) -> Html:
    status = t(language, f"status.{report.status}")
    overdue = overdue_hours(context.services, report)
    if overdue is not None:
        status = Html(f"{status}\n{t(language, 'sla.overdue', sla=overdue)}")
    return status


def _area(context: BotContext, report: Report, language: str) -> Html:
    area = context.services.areas.by_code.get(report.area_code or "")
    return area_label(area, language) if area else t(language, "tracking.outside_area_short")


def _history_line(
    context: BotContext, event: ReportEvent, language: str, *, notes: bool
) -> Callable[[int | None], Html]:
    """One line of the history; ``notes`` False leaves the note out (a follower is not shown
    the reporter's own words)."""

    def render(note_max: int | None) -> Html:
        note = (event.note or "") if notes else ""
        key = "tracking.history_line_note" if note else "tracking.history_line"
        return t(
            language,
            key,
            at=_local(context, event.at),
            status=t(language, f"status.{event.new_status}"),
            note=note if note_max is None else shorten(note, note_max),
        )

    return render


async def _detail(context: BotContext, report: Report, language: str, viewer: Viewer) -> Html:
    """What ``viewer`` may read of ``report``: a group must not see the reporter's words, nor a
    neighbour who follows it."""
    services = context.services
    status = _status_line(context, report, language)
    category = _category_label(context, report, language)
    if viewer is Viewer.PUBLIC:
        return t(
            language,
            "tracking.detail_public",
            ref=report.id,
            status=status,
            category=category,
            area=_area(context, report, language),
        )
    events = await services.store.reports.events(report.id)
    added = (await services.store.citizen_updates.summary(report.id)).event_ids
    if viewer is Viewer.FOLLOWER:
        lines = [
            _history_line(context, event, language, notes=event.actor_kind != "citizen")
            for event in events
            if event.id not in added  # the reporter's additions are for the officers
        ]
        return fit_history(
            lambda history: t(
                language,
                "tracking.detail_follower",
                ref=report.id,
                status=status,
                category=category,
                area=_area(context, report, language),
                created=_local(context, report.created_at),
                history=history,
            ),
            lines,
            language,
        )
    photos = await services.store.reports.photos(report.id)

    def build(history: Html) -> Html:
        return t(
            language,
            "tracking.detail_owner",
            ref=report.id,
            status=status,
            category=category,
            place=place_label(
                services.areas, report.lat, report.lon, report.place_name, language, report.address
            ),
            created=_local(context, report.created_at),
            photos=len(photos),
            description=report.description,
            history=history,
        )

    lines = [
        _addition_line(context, event, language)
        if event.id in added
        else _history_line(context, event, language, notes=True)
        for event in events
    ]
    return fit_history(build, lines, language)


def _addition_line(
    context: BotContext, event: ReportEvent, language: str
) -> Callable[[int | None], Html]:
    at = _local(context, event.at)
    return lambda note_max: addition_history_line(at, event, language, note_max)


def answer_buttons(
    report: Report, viewer: Viewer, language: str
) -> list[list[InlineKeyboardButton]]:
    """The buttons under a /status answer, by who reads it: only the reporter may say a
    resolved report is not fixed (the press is checked again in handlers/survey.py)."""
    rows: list[list[InlineKeyboardButton]] = []
    if viewer is Viewer.REPORTER and report.status == "resolved":
        rows.append([not_fixed_button(report.id, language)])
    if viewer is Viewer.REPORTER:  # what they sent; withdrawing while it is new
        rows += withdraw.reporter_rows(report, language)
    return rows


async def status_command(update: Update, context: BotContext) -> None:
    """``/status 1042``: what this reader may see of it (see :class:`Viewer`)."""
    language = await language_of(update, context)
    message = message_of(update)
    argument = " ".join(context.args or []).strip()
    match = _REFERENCE.match(argument)
    if not match:
        await message.reply_text(t(language, "tracking.usage"))
        return
    await _show(update, context, int(match.group(1)), language)


async def _show(update: Update, context: BotContext, ref: int, language: str) -> None:
    report = await context.services.store.reports.get(ref)
    chat = chat_of(update)
    if report is None:
        await context.bot.send_message(chat.id, t(language, "tracking.not_found", ref=ref))
        return
    viewer = await viewer_of(context, report, user_of(update).id, chat)
    text = await _detail(context, report, language, viewer)
    rows = answer_buttons(report, viewer, language)
    markup = InlineKeyboardMarkup(rows) if rows else None
    # With ➕ Add information for the reporter; a reply to the answer adds to the report.
    user_id = user_of(update).id
    await add_info.send_about_report(context, chat, user_id, report, text, language, markup)


async def _number_pressed(
    update: Update,
    context: BotContext,
    language: str,
    kind: ButtonKind[ReportRef] | ButtonKind[Page],
) -> int | None:
    """The number a pressed button of ``kind`` carries, the press answered; None (and a
    stale-button popup) when the data is not one."""
    query = query_of(update)
    press = kind.parse(query.data)
    number: int | None = press[0] if press is not None else None
    if number is None:
        await query.answer(t(language, "common.stale_button"))
        return None
    await query.answer()
    return number


async def view_pressed(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    ref = await _number_pressed(update, context, language, callbacks.VIEW_REPORT)
    if ref is not None:
        await _show(update, context, ref, language)


async def _page(
    context: BotContext, citizen_id: int, page: int, language: str
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """One page of the reports ``citizen_id`` filed or follows, newest first; the followed ones
    are marked, and the hint says what the mark means when the page shows one."""
    store = context.services.store
    total = await store.reports.count_tracked(citizen_id)
    if total == 0:
        return t(language, "tracking.my_empty"), None
    pages = math.ceil(total / PAGE_SIZE)
    page = max(0, min(page, pages - 1))
    reports = await store.reports.page_tracked(citizen_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    lines = [t(language, "tracking.my_header", total=total, page=page + 1, pages=pages), ""]
    followed = False
    for report in reports:
        own = report.citizen_id == citizen_id
        followed = followed or not own
        lines.append(
            t(
                language,
                "tracking.my_line" if own else "tracking.my_line_followed",
                ref=report.id,
                category=_category_label(context, report, language),
                status=t(language, f"status.{report.status}"),
                date=_local(context, report.created_at),
            )
        )
    lines += ["", t(language, "tracking.my_hint_followed" if followed else "tracking.my_hint")]
    return Html("\n".join(lines)), keyboards.my_reports(reports, page, pages, language)


async def my_reports(update: Update, context: BotContext) -> None:
    """/myreports: the citizen's reports and those they follow, newest first, five a page."""
    language = await language_of(update, context)
    text, markup = await _page(context, user_of(update).id, 0, language)
    await context.bot.send_message(chat_of(update).id, text, reply_markup=markup)


async def page_pressed(update: Update, context: BotContext) -> None:
    query = query_of(update)
    language = await language_of(update, context)
    page = await _number_pressed(update, context, language, callbacks.MY_REPORTS_PAGE)
    if page is None:
        return
    text, markup = await _page(context, query.from_user.id, page, language)
    with contextlib.suppress(BadRequest):  # "not modified": that page was already shown
        await query.edit_message_text(text, reply_markup=markup)
