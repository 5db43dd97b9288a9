"""What /stats says: a summary short enough to read under its chart on a phone (at most
:data:`SUMMARY_MAX_LINES` lines), and the full breakdown behind its "details" button.

Why two texts: the chart already shows reports per category, open and closed; what an officer
needs beside it is the total, where the open ones stand, how fast reports are handled and which
kelurahan are late. The breakdowns by status, category and city are there when asked for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import statuses
from bot.domain.stats import Audience, Period, hours, number, period_label
from bot.i18n import Html, t
from bot.telegram.context import BotContext
from handlers.areas import scope_label
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
#: The summary's worst kelurahan (the details list every one the figures hold).
SUMMARY_WORST = 3
#: The summary's length at most: title, area, period, total, open, closed, times, overdue, and
#: the worst kelurahan under their heading.
SUMMARY_MAX_LINES = 8 + 1 + SUMMARY_WORST


def heading(
    context: BotContext, audience: Audience, period: Period, now: datetime, language: str
) -> list[Html]:
    """The area and the period the figures cover."""
    return [_scope_line(context, audience, language), _period_line(context, period, now, language)]


def summary_text(summary: StatsSummary, head: list[Html], language: str) -> Html:
    """The short text that goes beside the chart."""
    open_counts = {s: n for s, n in summary.by_status.items() if s in statuses.OPEN}
    closed_counts = {s: n for s, n in summary.by_status.items() if s not in statuses.OPEN}
    lines: list[str] = [t(language, "stats.title"), *head]
    lines.append(t(language, "stats.total", count=number(language, summary.total)))
    lines.append(_status_line(language, "stats.open_line", open_counts))
    lines.append(_status_line(language, "stats.closed_line", closed_counts))
    lines.append(
        t(
            language,
            "stats.medians",
            acknowledge=_hours(language, summary.median_hours_to_acknowledge),
            acknowledged=number(language, summary.acknowledged),
            resolve=_hours(language, summary.median_hours_to_resolve),
            resolved=number(language, summary.resolved),
        )
    )
    lines.append(t(language, "stats.overdue_short", count=number(language, summary.overdue)))
    if summary.worst_areas:
        lines.append(t(language, "stats.worst"))
        lines += _worst_lines(summary, language, SUMMARY_WORST)
    return Html("\n".join(lines))


def details_text(
    context: BotContext, summary: StatsSummary, head: list[Html], language: str
) -> Html:
    """Everything: by status, by category, by city, handling times and every late kelurahan."""
    services = context.services
    lines: list[str] = [t(language, "stats.details_title"), *head]
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
        lines += _worst_lines(summary, language, len(summary.worst_areas))
    return Html("\n".join(lines))


def _status_line(language: str, key: str, counts: dict[str, int]) -> Html:
    parts = [
        t(
            language,
            "stats.status_part",
            label=t(language, f"status.{status}"),
            count=number(language, counts[status]),
        )
        for status in sorted(counts, key=_status_rank)
    ]
    return t(
        language,
        key,
        count=number(language, sum(counts.values())),
        parts=Html(" · ".join(parts) or t(language, "stats.none")),
    )


def _worst_lines(summary: StatsSummary, language: str, count: int) -> list[str]:
    return [
        t(
            language,
            "stats.worst_line",
            rank=rank,
            kelurahan=area.name,
            kecamatan=area.district,
            kota=area.city,
            count=number(language, area.count),
        )
        for rank, area in enumerate(summary.worst_areas[:count], start=1)
    ]


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


def _hours(language: str, value: float | None) -> Html:
    if value is None:
        return t(language, "stats.none")
    return t(language, "stats.hours", hours=hours(language, value))


def _median(language: str, key: str, value: float | None, count: int) -> Html:
    return t(language, key, hours=_hours(language, value), count=number(language, count))


def _status_rank(status: str) -> tuple[int, str]:
    return (STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER), status)
