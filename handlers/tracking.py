"""/status and /myreports: a citizen follows their reports; others see only the public part."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable
from datetime import datetime

from telegram import Chat, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.geo.places import area_label, place_label
from bot.i18n import Html, t
from bot.outbox.renderers import overdue_hours
from bot.telegram import callbacks
from bot.telegram.callbacks import ButtonKind, Page, ReportRef
from bot.telegram.context import BotContext
from bot.telegram.message_length import fit_history, shorten
from handlers import add_info, keyboards
from handlers.narrow import chat_of, message_of, query_of, user_of
from handlers.people import language_of
from storage.reports import Report, ReportEvent

PAGE_SIZE = 5
_REFERENCE = re.compile(r"^#?(\d{1,12})$")


def _local(context: BotContext, iso: str, fmt: str = "%d/%m/%Y %H:%M") -> str:
    moment = datetime.fromisoformat(iso).astimezone(context.services.settings.tz)
    return f"{moment.strftime(fmt)} {moment.tzname()}"


def _category_label(context: BotContext, report: Report, language: str) -> str:
    category = context.services.categories.get(report.category_key)
    return category.label(language) if category else report.category_key


async def _detail(context: BotContext, report: Report, language: str, *, full: bool) -> Html:
    """``full`` only for the reporter in their private chat: a group must not see their words."""
    services = context.services
    status = t(language, f"status.{report.status}")
    overdue = overdue_hours(services, report)
    if overdue is not None:
        status = Html(f"{status}\n{t(language, 'sla.overdue', sla=overdue)}")
    category = _category_label(context, report, language)
    if not full:
        area = services.areas.by_code.get(report.area_code or "")
        label = area_label(area, language) if area else t(language, "tracking.outside_area_short")
        return t(
            language,
            "tracking.detail_public",
            ref=report.id,
            status=status,
            category=category,
            area=label,
        )
    events = await services.store.reports.events(report.id)
    photos = await services.store.reports.photos(report.id)

    def line(event: ReportEvent) -> Callable[[int | None], Html]:
        def render(note_max: int | None) -> Html:
            note = event.note or ""
            key = "tracking.history_line_note" if note else "tracking.history_line"
            return t(
                language,
                key,
                at=_local(context, event.at),
                status=t(language, f"status.{event.new_status}"),
                note=note if note_max is None else shorten(note, note_max),
            )

        return render

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

    return fit_history(build, [line(event) for event in events], language)


async def status_command(update: Update, context: BotContext) -> None:
    """``/status 1042``: full detail for the reporter, category, area and status for anyone else."""
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
    own = report.citizen_id == user_of(update).id and chat.type == Chat.PRIVATE
    text = await _detail(context, report, language, full=own)
    # ➕ Add information for the reporter, and a reply to the answer adds to the report
    await add_info.send_about_report(context, chat, user_of(update).id, report, text, language)


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
    store = context.services.store
    total = await store.reports.count_by_citizen(citizen_id)
    if total == 0:
        return t(language, "tracking.my_empty"), None
    pages = math.ceil(total / PAGE_SIZE)
    page = max(0, min(page, pages - 1))
    reports = await store.reports.page_by_citizen(
        citizen_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE
    )
    lines = [t(language, "tracking.my_header", total=total, page=page + 1, pages=pages), ""]
    for report in reports:
        lines.append(
            t(
                language,
                "tracking.my_line",
                ref=report.id,
                category=_category_label(context, report, language),
                status=t(language, f"status.{report.status}"),
                date=_local(context, report.created_at, "%d/%m/%Y"),
            )
        )
    lines += ["", t(language, "tracking.my_hint")]
    return Html("\n".join(lines)), keyboards.my_reports(reports, page, pages, language)


async def my_reports(update: Update, context: BotContext) -> None:
    """/myreports: newest first, five a page."""
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
