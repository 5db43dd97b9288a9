"""The query parameters of the Open311 lists (``requests``, ``servicerequestupdates``), read once.

Why strict: each one ends up in SQL (as a parameter) and a client must learn at once that its
filter was wrong, rather than get everything or nothing; every refusal is a 400 naming the
parameter. Lists are bounded (``service_request_id`` up to :data:`MAX_IDS`, a page up to
:data:`MAX_PAGE_SIZE`).

Dates are W3C datetimes with their offset (``2026-11-03T08:00:00+07:00`` or ``…Z``); a date
alone, or a time without offset, is read in ``TIMEZONE``. An unescaped ``+`` in a query string
arrives as a space and is read as the ``+`` it was. Without ``start_date`` and ``end_date`` a list
covers the last 90 days (the specification's default), and at most 1,000 results: a page of
:data:`DEFAULT_PAGE_SIZE`, with ``page`` and ``page_size`` (the paging extension) and a
``Link: <…>; rel="next"`` header when there is more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.statuses import OPEN311
from bot.http.errors import ApiError
from bot.ids import parse_id
from storage.categories import Category

DEFAULT_WINDOW = timedelta(days=90)
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
MAX_PAGE = 100_000
MAX_IDS = 1000
MAX_CODES = 50
_OFFSET_SPACE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


@dataclass(frozen=True)
class Window:
    """UTC ISO text as stored; either end None for open."""

    start: str | None
    end: str | None


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _parts(raw: str | None, limit: int, name: str) -> list[str] | None:
    if raw is None or not raw.strip():
        return None
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if len(parts) > limit:
        raise ApiError(400, f"at most {limit} {name} at once")
    return parts


def ids(raw: str | None) -> tuple[int, ...] | None:
    parts = _parts(raw, MAX_IDS, "service_request_id")
    if parts is None:
        return None
    numbers = [parse_id(part.lstrip("#")) for part in parts]
    if any(number is None for number in numbers):
        raise ApiError(400, "service_request_id must be request ids separated by commas")
    return tuple(dict.fromkeys(number for number in numbers if number is not None))


def statuses(raw: str | None) -> tuple[str, ...] | None:
    """``open``, ``closed`` or both, as the internal statuses they stand for."""
    parts = _parts(raw, len(OPEN311), "status")
    if parts is None:
        return None
    wanted = [part.lower() for part in parts]
    unknown = [part for part in wanted if part not in OPEN311]
    if unknown:
        raise ApiError(400, f"status {unknown[0][:40]!r} is not known; use open or closed")
    return tuple(status for name in dict.fromkeys(wanted) for status in OPEN311[name])


def service_codes(raw: str | None, categories: Mapping[str, Category]) -> tuple[str, ...] | None:
    parts = _parts(raw, MAX_CODES, "service_code")
    if parts is None:
        return None
    unknown = [part for part in parts if part not in categories]
    if unknown:
        raise ApiError(400, f"unknown service_code {unknown[0][:40]!r}; see services.xml")
    return tuple(dict.fromkeys(parts))


def moment(raw: str, name: str, tz: ZoneInfo, *, end: bool) -> datetime:
    """A W3C datetime (see the module); a date alone as ``end`` covers that whole day."""
    try:
        parsed = datetime.fromisoformat(_OFFSET_SPACE.sub(r"\1+\2", raw))
    except ValueError:
        raise ApiError(
            400, f"{name} {raw[:40]!r} is not a W3C datetime, e.g. 2026-11-03T08:00:00+07:00"
        ) from None
    if len(raw) == 10 and end:  # 2026-11-03: until the end of that day
        parsed = datetime.combine(parsed.date(), time.max)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # 0001-01-01T00:00+14:00 is in year 0 in UTC
        raise ApiError(400, f"{name} {raw[:40]!r} is outside the years 0001 to 9999") from None


def _stored(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def window(query: Mapping[str, str], tz: ZoneInfo, now: datetime) -> Window:
    """``start_date`` and ``end_date``; without either, the last 90 days; with only
    ``end_date``, the 90 days before it (the specification's default span)."""
    start_raw = (query.get("start_date") or "").strip()
    end_raw = (query.get("end_date") or "").strip()
    start = moment(start_raw, "start_date", tz, end=False) if start_raw else None
    end = moment(end_raw, "end_date", tz, end=True) if end_raw else None
    if start is not None and end is not None and start > end:
        raise ApiError(400, "start_date is after end_date")
    if start is None:
        until = end or now
        earliest = datetime.min.replace(tzinfo=UTC) + DEFAULT_WINDOW
        start = until - DEFAULT_WINDOW if until >= earliest else None
    return Window(_stored(start) if start else None, _stored(end) if end else None)


def page(query: Mapping[str, str]) -> Page:
    return Page(
        _bounded(query, "page", 1, MAX_PAGE),
        _bounded(query, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


def _bounded(query: Mapping[str, str], name: str, default: int, highest: int) -> int:
    raw = (query.get(name) or "").strip()
    if not raw:
        return default
    number = parse_id(raw)
    if number is None or not 1 <= number <= highest:
        raise ApiError(400, f"{name} must be a whole number from 1 to {highest}")
    return number
