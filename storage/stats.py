"""Report statistics as SQL aggregates: counts by status, category and area, overdue reports,
and the median hours to acknowledge and to resolve.

Memory stays bounded however many reports there are: one ``GROUP BY`` pass returns at most
statuses × categories × kelurahan rows, and each median is one sorted ``LIMIT``/``OFFSET`` read
of one or two values (SQLite spills its sorter to disk when it must). The queries run on their own
short-lived read-only connection inside one read transaction, so the figures come from a single
snapshot and a slow aggregate over a large table never holds up the shared reader the citizens'
chats use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.backend import Backend, Connection, Dialect
from storage.sqltext import iso


def _overdue(dialect: Dialect, waiting: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """Overdue is the rule of ``bot.outbox.renderers.overdue_hours``: in ``waiting`` (for an
    acknowledgement) for at least the category's SLA since ``sla_started_at``, for a category
    still in the bundled list. Whole seconds are exact here because an SLA is a whole number of
    hours. Returns the SQL and its named parameters (one per waiting status)."""
    names = {f"waiting{index}": status for index, status in enumerate(waiting)}
    listed = ", ".join(f":{name}" for name in names) or "NULL"
    sql = (
        f"r.status IN ({listed}) AND r.sla_started_at IS NOT NULL AND c.active = 1"
        f" AND {dialect.seconds_between(':now', 'r.sla_started_at')} >= c.sla_hours * 3600"
    )
    return sql, names


@dataclass(frozen=True)
class StatsFilter:
    """Which reports count: created in ``[since, until)`` (UTC ISO text, None = unbounded) and in
    ``area_codes`` (None = anywhere, reports outside the service area included)."""

    since: str | None = None
    until: str | None = None
    area_codes: frozenset[str] | None = None


@dataclass(frozen=True)
class AreaCount:
    code: str
    name: str
    district: str
    city: str
    count: int


@dataclass(frozen=True)
class CategoryCount:
    key: str
    open: int
    closed: int

    @property
    def total(self) -> int:
        return self.open + self.closed


@dataclass(frozen=True)
class StatsSummary:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: list[CategoryCount] = field(default_factory=list)  # most reports first
    by_city: dict[str | None, int] = field(default_factory=dict)  # None: outside the areas
    overdue: int = 0
    worst_areas: list[AreaCount] = field(default_factory=list)  # most overdue first
    acknowledged: int = 0  # reports with an acknowledgement time
    resolved: int = 0  # reports with a resolution time
    median_hours_to_acknowledge: float | None = None
    median_hours_to_resolve: float | None = None


def _where(stats_filter: StatsFilter) -> tuple[str, dict[str, Any]]:
    clauses, params = ["1 = 1"], {}
    if stats_filter.since is not None:
        clauses.append("r.created_at >= :since")
        params["since"] = stats_filter.since
    if stats_filter.until is not None:
        clauses.append("r.created_at < :until")
        params["until"] = stats_filter.until
    if stats_filter.area_codes is not None:
        names = {f"code{index}": code for index, code in enumerate(sorted(stats_filter.area_codes))}
        clauses.append(f"r.area_code IN ({', '.join(':' + name for name in names)})")
        params.update(names)
    return " AND ".join(clauses), params


def _scan_hint(dialect: Dialect, stats_filter: StatsFilter) -> str:
    """Over every area, a plain table scan: left alone, SQLite walks the (status, resolved_at)
    index for the GROUP BY and fetches each row through it, which is slower than reading the
    table straight through, over all reports and over a recent month alike. For a few kelurahan
    the (area_code, status) index is the quick way in, so the planner keeps its choice."""
    return dialect.scan_hint() if stats_filter.area_codes is None else ""


class StatsRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def summary(
        self,
        stats_filter: StatsFilter,
        now: datetime,
        *,
        open_statuses: tuple[str, ...],
        waiting: tuple[str, ...],
        worst: int = 5,
    ) -> StatsSummary:
        """Figures over the reports ``stats_filter`` selects; a category's reports count as open
        when in ``open_statuses``, as overdue when in ``waiting`` past the SLA (the caller's
        sets: ``bot.domain.statuses``)."""
        if stats_filter.area_codes is not None and not stats_filter.area_codes:
            return StatsSummary()
        async with self._db.snapshot() as conn:  # one snapshot for every figure
            return await _summary(
                conn, self._db.dialect, stats_filter, now, worst, open_statuses, waiting
            )


async def _summary(
    conn: Connection,
    dialect: Dialect,
    stats_filter: StatsFilter,
    now: datetime,
    worst: int,
    open_statuses: tuple[str, ...],
    waiting: tuple[str, ...],
) -> StatsSummary:
    where, params = _where(stats_filter)
    overdue_sql, overdue_params = _overdue(dialect, waiting)
    params = {**params, "now": iso(now)}
    async with conn.execute(
        "SELECT r.status, r.category_key, r.area_code, a.name, a.district, a.city,"
        " COUNT(*) AS n,"
        f" COALESCE(SUM(CASE WHEN {overdue_sql} THEN 1 ELSE 0 END), 0) AS overdue,"
        " COUNT(r.acknowledged_at) AS acknowledged, COUNT(r.resolved_at) AS resolved"
        f" FROM reports r {_scan_hint(dialect, stats_filter)}"
        " LEFT JOIN categories c ON c.key = r.category_key"
        " LEFT JOIN areas a ON a.code = r.area_code"
        f" WHERE {where}"
        " GROUP BY r.status, r.category_key, r.area_code, a.name, a.district, a.city",
        {**params, **overdue_params},
    ) as cursor:
        rows = await cursor.fetchall()
    by_status: Counter[str] = Counter()
    open_by_category: Counter[str] = Counter()
    closed_by_category: Counter[str] = Counter()
    by_city: Counter[str | None] = Counter()
    overdue_by_area: Counter[str] = Counter()
    areas: dict[str, tuple[str, str, str]] = {}
    acknowledged = resolved = overdue = 0
    for row in rows:
        n = int(row["n"])
        by_status[row["status"]] += n
        target = open_by_category if row["status"] in open_statuses else closed_by_category
        target[row["category_key"]] += n
        by_city[row["city"]] += n
        overdue += int(row["overdue"])
        acknowledged += int(row["acknowledged"])
        resolved += int(row["resolved"])
        if row["overdue"] and row["area_code"] is not None and row["name"] is not None:
            overdue_by_area[row["area_code"]] += int(row["overdue"])
            areas[row["area_code"]] = (row["name"], row["district"], row["city"])
    categories = [
        CategoryCount(key, open_by_category[key], closed_by_category[key])
        for key in open_by_category | closed_by_category
    ]
    categories.sort(key=lambda c: (-c.total, c.key))
    worst_areas = sorted(
        (AreaCount(code, *areas[code], count) for code, count in overdue_by_area.items()),
        key=lambda a: (-a.count, a.name, a.code),
    )[:worst]
    return StatsSummary(
        total=sum(by_status.values()),
        by_status=dict(by_status),
        by_category=categories,
        by_city=dict(by_city.most_common()),
        overdue=overdue,
        worst_areas=worst_areas,
        acknowledged=acknowledged,
        resolved=resolved,
        median_hours_to_acknowledge=await _median_hours(
            conn, dialect, "acknowledged_at", where, params, acknowledged
        ),
        median_hours_to_resolve=await _median_hours(
            conn, dialect, "resolved_at", where, params, resolved
        ),
    )


async def _median_hours(
    conn: Connection,
    dialect: Dialect,
    column: str,
    where: str,
    params: dict[str, Any],
    count: int,
) -> float | None:
    """The median of ``column - created_at`` in hours over ``count`` rows: one or two middle
    values read from a sorted scan, never the whole list."""
    if count == 0:
        return None
    offset, limit = (count - 1) // 2, 2 - count % 2
    async with conn.execute(
        "SELECT AVG(hours) AS median FROM (SELECT"
        f" {dialect.seconds_between(f'r.{column}', 'r.created_at')} / 3600.0 AS hours"
        f" FROM reports r WHERE {where} AND r.{column} IS NOT NULL"
        " ORDER BY hours LIMIT :limit OFFSET :offset) AS middle",
        {**params, "limit": limit, "offset": offset},
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None or row["median"] is None else float(row["median"])
