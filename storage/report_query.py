"""One filter for every list of reports: the staff pages, the Open311 API and the case CLI.

Why one: each reader once built its own WHERE clause, and three copies of "area in …, status
in …" drift apart (an officer's empty area list must match nothing everywhere, not everything
somewhere). Each reader now states what it wants; the SQL is written here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from storage.sqltext import placeholders


@dataclass(frozen=True)
class AgencyReach:
    """The reports one agency handles, as SQL reads them: given to it by a hand-off, or given to
    no agency and in one of ``categories`` and in ``area_codes`` (None: everywhere). Built only by
    :func:`bot.domain.agencies.reach`, beside the rule it states for one report."""

    agency_id: int
    categories: tuple[str, ...]
    area_codes: tuple[str, ...] | None


def reach_clause(reaches: tuple[AgencyReach, ...], table: str = "") -> tuple[str, list[object]]:
    """``(reports of any of these agencies)`` as SQL; ``table``: the reports' alias, e.g. ``r.``."""
    parts: list[str] = []
    params: list[object] = []
    for reach in reaches:
        part = f"{table}agency_id = ?"
        params.append(reach.agency_id)
        if reach.categories and reach.area_codes != ():
            routed = f"{table}agency_id IS NULL AND {table}category_key IN"
            routed += f" ({placeholders(reach.categories)})"
            params.extend(reach.categories)
            if reach.area_codes is not None:
                routed += f" AND {table}area_code IN ({placeholders(reach.area_codes)})"
                params.extend(reach.area_codes)
            part = f"({part} OR ({routed}))"
        parts.append(part)
    return "(" + " OR ".join(parts or ["1 = 0"]) + ")", params


@dataclass(frozen=True)
class ReportQuery:
    """Every field optional. Times are UTC ISO-8601 text, as stored.

    ``area_codes=None`` means anywhere (outside every kelurahan too); an empty tuple means
    nowhere (an officer without areas). ``ids`` given means exactly those reports and overrides
    the other filters except ``visibilities`` (Open311's rule: the published modes, which the
    caller names, bot.domain.privacy.PUBLISHED) and whose reports they are (``area_codes`` and
    ``agencies``: an agency's key names no other agency's report by id). ``overdue_before``
    maps each category to the moment its SLA clock must have started before to be overdue now,
    for a report in ``waiting`` (the statuses that wait for an acknowledgement: the caller's rule).
    Reports in ``restricted_categories`` match only in ``restricted_areas`` (None: anywhere;
    empty: nowhere), whatever else is asked, ``ids`` included: the public API's sensitive
    categories, which only a key for the area reads. ``agencies``: the reports these agencies
    handle match beside ``area_codes`` (an officer's areas, plus the agencies whose groups they
    administer; an agency's API key: no areas, its agency).
    """

    area_codes: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    category_key: str | None = None
    created_from: str | None = None
    created_until: str | None = None
    overdue_before: Mapping[str, str] | None = None
    waiting: tuple[str, ...] = ()
    ids: tuple[int, ...] | None = None
    visibilities: tuple[str, ...] | None = None  # None: any
    restricted_categories: tuple[str, ...] = ()
    restricted_areas: tuple[str, ...] | None = ()
    category_keys: tuple[str, ...] | None = None  # any of these (Open311's comma list)
    agencies: tuple[AgencyReach, ...] = ()
    area_code: str | None = None  # within the above, this kelurahan only (a list's filter)


def where_clause(query: ReportQuery) -> tuple[str, list[object]] | None:
    """``(" WHERE …", params)`` (``""`` when unfiltered), or None when nothing can match."""
    clauses: list[str] = []
    params: list[object] = []
    if query.visibilities is not None:
        if not query.visibilities:
            return None
        clauses.append(f"visibility IN ({placeholders(query.visibilities)})")
        params.extend(query.visibilities)
    if query.restricted_categories and query.restricted_areas is not None:
        restricted = f"category_key NOT IN ({placeholders(query.restricted_categories)})"
        params.extend(query.restricted_categories)
        if query.restricted_areas:
            restricted = f"({restricted} OR area_code IN ({placeholders(query.restricted_areas)}))"
            params.extend(query.restricted_areas)
        clauses.append(restricted)
    if query.area_codes is not None:
        if not query.area_codes and not query.agencies:
            return None
        owned: list[str] = []
        if query.area_codes:
            owned.append(f"area_code IN ({placeholders(query.area_codes)})")
            params.extend(query.area_codes)
        if query.agencies:
            sql, reach_params = reach_clause(query.agencies)
            owned.append(sql)
            params.extend(reach_params)
        clauses.append(f"({' OR '.join(owned)})")
    if query.ids is not None:
        if not query.ids:
            return None
        clauses.append(f"id IN ({placeholders(query.ids)})")
        params.extend(query.ids)
        return f" WHERE {' AND '.join(clauses)}", params
    if query.area_code is not None:
        clauses.append("area_code = ?")
        params.append(query.area_code)
    if query.statuses is not None:
        if not query.statuses:
            return None
        clauses.append(f"status IN ({placeholders(query.statuses)})")
        params.extend(query.statuses)
    if query.category_key is not None:
        clauses.append("category_key = ?")
        params.append(query.category_key)
    if query.category_keys is not None:
        if not query.category_keys:
            return None
        clauses.append(f"category_key IN ({placeholders(query.category_keys)})")
        params.extend(query.category_keys)
    if query.created_from is not None:
        clauses.append("created_at >= ?")
        params.append(query.created_from)
    if query.created_until is not None:
        clauses.append("created_at <= ?")
        params.append(query.created_until)
    if query.overdue_before is not None:
        # As bot.outbox.renderers.overdue_hours: waiting past its category's SLA.
        if not query.waiting:
            raise ValueError("overdue_before needs waiting: the statuses that wait")
        if not query.overdue_before:
            return None
        per_category = " OR ".join(
            "(category_key = ? AND sla_started_at <= ?)" for _ in query.overdue_before
        )
        clauses.append(f"status IN ({placeholders(query.waiting)}) AND ({per_category})")
        params.extend(query.waiting)
        params.extend(value for item in query.overdue_before.items() for value in item)
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params
