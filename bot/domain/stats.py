"""Statistics for admins and officers: who may see which reports, over which period, and the chart.

Who sees what is decided here, on the server, for every request: a WargaLapor admin sees every
report (outside the service area included); an officer sees the kelurahan under their scopes; in a
group linked to areas, an administrator of that group also sees the group's areas. Anyone else
sees nothing. The figures come from :mod:`storage.stats`; the chart is drawn with matplotlib's
headless Agg canvas in a worker thread so the event loop keeps serving other chats meanwhile.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.domain import statuses
from bot.domain.permissions import GroupAdminCheck, is_admin
from bot.i18n import plain
from storage.groups import Scope
from storage.stats import StatsFilter, StatsSummary

if TYPE_CHECKING:  # bot.services builds services from bot.domain: no import cycle at run time
    from bot.services import Services

PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "30d"
ALL_TIME = ("all", "semua")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

OPEN_COLOUR = "#E69F00"  # Okabe–Ito orange and blue: distinct for colour-blind readers too
CLOSED_COLOUR = "#0072B2"


@dataclass(frozen=True)
class Period:
    """Reports created in ``[since, until)``; None is unbounded. ``days`` for rolling periods,
    ``month`` (year, month) for a calendar month in the bot's time zone."""

    key: str
    since: datetime | None = None
    until: datetime | None = None
    days: int | None = None
    month: tuple[int, int] | None = None


def parse_period(text: str, now: datetime, tz: tzinfo) -> Period | None:
    """``""`` (30 days), ``7d``/``30d``/``90d``, ``all`` or ``2026-11``; None if not understood."""
    key = text.strip().casefold() or DEFAULT_PERIOD
    if key in ALL_TIME:
        return Period("all")
    if key in PERIOD_DAYS:
        days = PERIOD_DAYS[key]
        return Period(key, since=now - timedelta(days=days), days=days)
    match = _MONTH.match(key)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1970 <= year <= 9998):
        return None
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return Period(key, since=start, until=end, month=(year, month))


def period_label(period: Period, language: str) -> str:
    """Short and plain: "30 hari terakhir", "November 2026", "semua waktu"."""
    if period.days is not None:
        return plain(language, "stats.last_days", days=period.days)
    if period.month is not None:
        year, month = period.month
        names = plain(language, "stats.month_names").split()
        return plain(language, "stats.month", month=names[month - 1], year=year)
    return plain(language, "stats.all_time")


@dataclass(frozen=True)
class Audience:
    """What one asker may see: ``area_codes`` None means every report (admins)."""

    scopes: tuple[Scope, ...] = ()
    area_codes: frozenset[str] | None = None

    @property
    def everywhere(self) -> bool:
        return self.area_codes is None


async def audience_for(
    services: Services,
    is_group_admin: GroupAdminCheck,
    user_id: int,
    chat_id: int,
    *,
    in_group: bool,
) -> Audience | None:
    """The reports ``user_id`` may see statistics of, asking in ``chat_id``; None: none at all.
    Whether they administer the group is Telegram's answer, asked through ``is_group_admin``."""
    if is_admin(services, user_id):
        return Audience()
    scopes = await services.store.officers.scopes_of(user_id)
    if in_group:
        links = await services.store.groups.links_of(chat_id)
        if links and await is_group_admin(chat_id, user_id):
            scopes += [link.scope for link in links if link.scope not in scopes]
    if not scopes:
        return None
    return Audience(tuple(scopes), area_codes(services, scopes))


def area_codes(services: Services, scopes: Sequence[Scope]) -> frozenset[str]:
    """Every kelurahan under any of ``scopes`` (a kecamatan or a kota expands to its kelurahan)."""
    return frozenset(
        area.code
        for area in services.areas.areas
        for scope in scopes
        if (scope.kind == "kelurahan" and scope.key == area.code)
        or (scope.kind == "kecamatan" and scope.key == area.district)
        or (scope.kind == "kota" and scope.key == area.city)
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


async def collect(services: Services, audience: Audience, period: Period) -> StatsSummary:
    stats_filter = StatsFilter(_iso(period.since), _iso(period.until), audience.area_codes)
    return await services.store.stats.summary(
        stats_filter,
        services.clock.now(),
        open_statuses=statuses.OPEN,
        waiting=statuses.WAITING,
    )


def number(language: str, value: int) -> str:
    """1234567 → "1.234.567" in Indonesian, "1,234,567" in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if language == "id" else text


def hours(language: str, value: float) -> str:
    """One decimal, none when whole, with the language's decimal mark: 1,5 / 24 / 0,3."""
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if language == "id" else text


async def chart_png(
    services: Services, summary: StatsSummary, language: str, period: Period
) -> bytes | None:
    """Reports per category, open and closed stacked; None when there is nothing to draw."""
    if not summary.by_category:
        return None
    bars = []
    for item in summary.by_category:
        category = services.categories.get(item.key)
        # Names without their emoji: the chart font has no emoji glyphs.
        bars.append((category.name(language) if category else item.key, item.open, item.closed))
    return await asyncio.to_thread(
        render_chart,
        bars,
        title=plain(language, "stats.chart_title", period=period_label(period, language)),
        open_label=plain(language, "stats.chart_open"),
        closed_label=plain(language, "stats.chart_closed"),
        axis_label=plain(language, "stats.chart_axis"),
        language=language,
    )


def render_chart(
    bars: Sequence[tuple[str, int, int]],
    *,
    title: str,
    open_label: str,
    closed_label: str,
    axis_label: str,
    language: str,
) -> bytes:
    """A horizontal stacked bar chart as PNG bytes; ``bars`` are (label, open, closed), most
    reports first. Blocking: call it in a thread. Uses ``Figure`` directly (no pyplot, no global
    state), which renders through the Agg canvas, so it is safe off the main thread."""
    # Imported here: matplotlib is heavy and only this function needs it.
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    rows = list(reversed(bars))  # barh draws bottom-up; the largest goes on top
    labels = [label for label, _, _ in rows]
    opened = [count for _, count, _ in rows]
    closed = [count for _, _, count in rows]
    totals = [o + c for o, c in zip(opened, closed, strict=True)]
    figure = Figure(figsize=(8, 1.8 + 0.5 * len(rows)), dpi=110, layout="constrained")
    axes = figure.subplots()
    positions = list(range(len(rows)))
    axes.barh(positions, opened, color=OPEN_COLOUR, label=open_label, height=0.6)
    stacked = axes.barh(
        positions, closed, left=opened, color=CLOSED_COLOUR, label=closed_label, height=0.6
    )
    axes.bar_label(stacked, labels=[number(language, n) for n in totals], padding=4, fontsize=10)
    axes.set_yticks(positions, labels, fontsize=10)
    axes.set_xlim(0, max(totals) * 1.15 or 1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: number(language, int(x))))
    axes.set_xlabel(axis_label)
    axes.set_title(title, loc="left", fontweight="bold")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()
