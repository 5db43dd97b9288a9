"""/stats [period]: report figures for an admin's city or an officer's areas, then a chart."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Chat, Update
from telegram.constants import ChatAction

from bot.domain.stats import (
    Audience,
    Period,
    audience_for,
    chart_png,
    collect,
    hours,
    number,
    parse_period,
    period_label,
)
from bot.i18n import Html, t
from bot.telegram.context import BotContext
from handlers.areas import scope_label
from handlers.narrow import chat_of, message_of, user_of
from handlers.people import language_of
from storage.stats import StatsSummary

STATUS_ORDER = (
    "new",
    "acknowledged",
    "in_progress",
    "reopened",
    "resolved",
    "closed",
    "rejected",
    "duplicate",
)
MAX_SCOPES_SHOWN = 4


async def stats_command(update: Update, context: BotContext) -> None:
    """``/stats``, ``/stats 7d|30d|90d|all`` or ``/stats 2026-11``, for admins and officers."""
    language = await language_of(update, context)
    services = context.services
    message, chat = message_of(update), chat_of(update)
    audience = await audience_for(
        services,
        services.chat_admins.asking(context.bot),
        user_of(update).id,
        chat.id,
        in_group=chat.type != Chat.PRIVATE,
    )
    if audience is None:
        await message.reply_text(t(language, "stats.not_allowed"))
        return
    now = services.clock.now()
    period = parse_period(" ".join(context.args or []), now, services.settings.tz)
    if period is None:
        await message.reply_text(t(language, "stats.usage"))
        return
    await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    summary = await collect(services, audience, period)
    heading = [
        _scope_line(context, audience, language),
        _period_line(context, period, now, language),
    ]
    if summary.total == 0:
        text = t(language, "stats.no_reports", details=Html("\n".join(heading)))
        await message.reply_text(text)
        return
    await message.reply_text(_summary_text(context, summary, heading, language))
    png = await chart_png(services, summary, language, period)
    if png is not None:
        await message.reply_photo(
            png,
            caption=t(language, "stats.caption", period=period_label(period, language)),
        )


def _scope_line(context: BotContext, audience: Audience, language: str) -> Html:
    if audience.everywhere:
        return t(language, "stats.scope_all")
    labels = [scope_label(context.services, s, language) for s in audience.scopes]
    shown = "; ".join(labels[:MAX_SCOPES_SHOWN])
    if len(labels) > MAX_SCOPES_SHOWN:
        shown += f"; {t(language, 'stats.more', count=len(labels) - MAX_SCOPES_SHOWN)}"
    return t(language, "stats.scope", scopes=Html(shown))


def _period_line(context: BotContext, period: Period, now: datetime, language: str) -> Html:
    label = period_label(period, language)
    if period.since is None:
        return t(language, "stats.period_open", period=label)
    tz = context.services.settings.tz
    last = now if period.until is None else period.until - timedelta(days=1)
    return t(
        language,
        "stats.period",
        period=label,
        start=period.since.astimezone(tz).strftime("%d/%m/%Y"),
        end=last.astimezone(tz).strftime("%d/%m/%Y"),
    )


def _row(language: str, label: str, count: int) -> Html:
    return t(language, "stats.row", label=label, count=number(language, count))


def _summary_text(
    context: BotContext, summary: StatsSummary, heading: list[Html], language: str
) -> Html:
    services = context.services
    lines: list[str] = [t(language, "stats.title"), *heading]
    lines.append(t(language, "stats.total", count=number(language, summary.total)))
    lines += ["", t(language, "stats.by_status")]
    for status in sorted(summary.by_status, key=_status_rank):
        lines.append(_row(language, t(language, f"status.{status}"), summary.by_status[status]))
    lines += ["", t(language, "stats.by_category")]
    for item in summary.by_category:
        category = services.categories.get(item.key)
        lines.append(_row(language, category.label(language) if category else item.key, item.total))
    lines += ["", t(language, "stats.by_city")]
    for city, count in summary.by_city.items():
        lines.append(_row(language, city or t(language, "stats.outside_area"), count))
    lines += [
        "",
        t(language, "stats.times"),
        _median(
            language,
            "stats.to_acknowledge",
            summary.median_hours_to_acknowledge,
            summary.acknowledged,
        ),
        _median(language, "stats.to_resolve", summary.median_hours_to_resolve, summary.resolved),
        "",
        t(language, "stats.overdue", count=number(language, summary.overdue)),
    ]
    if summary.worst_areas:
        lines.append(t(language, "stats.worst"))
        for rank, area in enumerate(summary.worst_areas, start=1):
            lines.append(
                t(
                    language,
                    "stats.worst_line",
                    rank=rank,
                    kelurahan=area.name,
                    kecamatan=area.district,
                    kota=area.city,
                    count=number(language, area.count),
                )
            )
    return Html("\n".join(lines))


def _median(language: str, key: str, value: float | None, count: int) -> Html:
    shown = (
        t(language, "stats.none")
        if value is None
        else t(language, "stats.hours", hours=hours(language, value))
    )
    return t(language, key, hours=shown, count=number(language, count))


def _status_rank(status: str) -> tuple[int, str]:
    return (STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER), status)
