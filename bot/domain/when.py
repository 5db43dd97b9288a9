"""When an admin wants a broadcast sent, read from what they typed: "besok 07:00", "besok jam 7
malam", "Senin 08.30", "1/12 19:00", "hari ini 19:00", "lusa jam 9", "tomorrow 7am", "Mon 08:30".

Why a parser of our own: admins write times the way they say them, in Indonesian or English,
and a broadcast sent at the wrong hour reaches thousands of people. So every word must be
understood or the whole text is refused (with examples): nothing is guessed from a text that
was half read. A day without a time ("lusa") asks for the time rather than inventing one, and
a time that has passed is refused, never quietly moved to next week.

Everything is in the zone the bot is configured with (Asia/Jakarta by default): ``now`` comes in
that zone and the moment goes back in it. No Telegram here (bot/domain).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain.when_words import (
    DAY_WORDS,
    FILLERS,
    HOUR_MARKS,
    MONTHS,
    NEXT_WORDS,
    PARTS,
    TODAY_PARTS,
    WEEKDAYS,
)
from bot.i18n import plain
from bot.moments import zone_label

UNDERSTOOD, PAST, NEEDS_TIME, NOT_UNDERSTOOD = "understood", "past", "needs_time", "unknown"

#: A day-and-month without a year that has passed by more than this is next year's
#: ("2/1" written on 28 December); a date passed more recently is a mistake, and refused.
NEXT_YEAR_AFTER = timedelta(days=180)


_ZONES = r"\b(wib|wita|wit|utc[+-]?\d{0,2}(?::\d{2})?)(?![\w+-])"
_TOKEN = re.compile(
    r"""
    (?P<ymd>\d{4}-\d{1,2}-\d{1,2})
  | (?P<dmy>\d{1,2}[/-]\d{1,2}(?:[/-](?:\d{4}|\d{2}))?)(?![\d/-])
  | (?P<time>\d{1,2}[:.]\d{2})\s*(?P<time_ampm>[ap]\.?m\.?)?(?![\w.])
  | (?P<hour_ampm>\d{1,2})\s*(?P<ampm>[ap]\.?m\.?)(?!\w)
  | (?P<number>\d{1,4})(?:st|nd|rd|th)?(?!\w)
  | (?P<word>[a-z]+)
  | (?P<space>[\s,]+)
  | (?P<other>.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Reading:
    """What the admin's text says: ``kind`` is :data:`UNDERSTOOD` (``moment`` is when),
    :data:`PAST` (``moment`` is the time that has gone), :data:`NEEDS_TIME` (a day but no
    hour) or :data:`NOT_UNDERSTOOD`."""

    kind: str
    moment: datetime | None = None


@dataclass
class _Parts:
    """What the words said, each at most once (a second one is a contradiction)."""

    days_ahead: int | None = None
    weekday: int | None = None
    after_today: bool = False  # "Senin depan"
    on: tuple[int, int, int | None] | None = None  # day, month, year (None: not written)
    hour: int | None = None
    minute: int = 0
    ampm: str | None = None
    part: str | None = None
    seen: set[str] = field(default_factory=set)

    def claim(self, slot: str) -> bool:
        """Mark ``slot`` as said; False when it was said already."""
        if slot in self.seen:
            return False
        self.seen.add(slot)
        return True


def read_when(text: str, now: datetime) -> Reading:
    """The moment ``text`` names, in ``now``'s zone; see :class:`Reading`."""
    cleaned, zones = _normalise(text)
    if zones - {zone_label(now).casefold()}:
        return Reading(NOT_UNDERSTOOD)  # "07:00 WITA" to a bot on WIB: not silently an hour off
    parts = _parse(cleaned)
    if parts is None:
        return Reading(NOT_UNDERSTOOD)
    has_day = bool(parts.seen & {"day", "date"})
    if parts.hour is None:
        return Reading(NEEDS_TIME if has_day or parts.part else NOT_UNDERSTOOD)
    hour = _hour_of(parts)
    if hour is None:
        return Reading(NOT_UNDERSTOOD)
    next_day, hour = (1, 0) if hour == 24 else (0, hour)  # "jam 12 malam": midnight after
    moment = _moment(parts, hour, now, next_day)
    if moment is None:
        return Reading(NOT_UNDERSTOOD)
    if moment <= now:
        return Reading(PAST, moment)
    return Reading(UNDERSTOOD, moment)


def _normalise(text: str) -> tuple[str, set[str]]:
    """Lower case, "Jum'at" as "jumat", "pkl." as "pkl"; and the zones named ("wib"), taken
    out: a zone says nothing when it is the bot's own."""
    lowered = text.casefold().replace("’", "").replace("'", "")
    lowered = re.sub(r"\b(pkl|jam|tgl)\.", r"\1 ", lowered)
    zones = set(re.findall(_ZONES, lowered))
    return re.sub(_ZONES, " ", lowered).strip(" .!"), zones


def _tokens(text: str) -> list[tuple[str, str, re.Match[str]]] | None:
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "time_ampm":
            kind = "time"
        if kind == "ampm":
            kind = "hour_ampm"
        if kind == "space":
            continue
        if kind == "other":
            return None
        found.append((kind, match.group(0), match))
    return found


def _parse(text: str) -> _Parts | None:
    tokens = _tokens(text)
    if not tokens:
        return None
    parts = _Parts()
    i = 0
    while i < len(tokens):
        kind, raw, match = tokens[i]
        if kind == "word":
            used = _word(tokens, i, parts)
            if used == 0:
                return None
            i += used
            continue
        if kind == "ymd":
            full_year, month, day = (int(n) for n in raw.split("-"))
            if not parts.claim("date"):
                return None
            parts.on = (day, month, full_year)
        elif kind == "dmy":
            numbers = [int(n) for n in re.split(r"[/-]", raw)]
            if not parts.claim("date"):
                return None
            written = numbers[2] if len(numbers) == 3 else None
            if written is not None and written < 100:
                written += 2000
            parts.on = (numbers[0], numbers[1], written)
        elif kind == "time":
            hour, minute = (int(n) for n in re.split(r"[:.]", match.group("time")))
            if not parts.claim("time"):
                return None
            parts.hour, parts.minute = hour, minute
            if match.group("time_ampm"):
                parts.ampm = match.group("time_ampm").replace(".", "")
        elif kind == "hour_ampm":
            if not parts.claim("time"):
                return None
            parts.hour, parts.ampm = int(match.group("hour_ampm")), match.group("ampm")
            parts.ampm = parts.ampm.replace(".", "")
        elif kind == "number":
            used = _number(tokens, i, parts)
            if used == 0:
                return None
            i += used
            continue
        i += 1
    return parts


def _words(tokens: list[tuple[str, str, re.Match[str]]], i: int, count: int) -> str | None:
    chunk = tokens[i : i + count]
    if len(chunk) < count or any(kind != "word" for kind, _, _ in chunk):
        return None
    return " ".join(raw for _, raw, _ in chunk)


def _word(tokens: list[tuple[str, str, re.Match[str]]], i: int, parts: _Parts) -> int:
    """Take the word (or phrase) at ``i``; how many tokens it used (0: not understood)."""
    for count in (3, 2, 1):
        phrase = _words(tokens, i, count)
        if phrase is None:
            continue
        if phrase in DAY_WORDS:
            if not parts.claim("day"):
                return 0
            parts.days_ahead = DAY_WORDS[phrase]
            return count
        if phrase in TODAY_PARTS:
            if not parts.claim("day") or not parts.claim("part"):
                return 0
            parts.days_ahead, parts.part = 0, TODAY_PARTS[phrase]
            return count
    word = tokens[i][1]
    if word in WEEKDAYS:
        if not parts.claim("day"):
            return 0
        parts.weekday = WEEKDAYS[word]
        return 1
    if word in NEXT_WORDS:
        parts.after_today = True
        return 1
    if word in PARTS:
        if not parts.claim("part"):
            return 0
        parts.part = PARTS[word]
        return 1
    if word in HOUR_MARKS:
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is not None and following[0] == "number":
            if not parts.claim("time"):
                return 0
            parts.hour = int(following[1])
            return 2
        return 1  # "jam 07:00", "pukul 7pm": the time itself follows
    if word in MONTHS:  # "Dec 1", "Dec 1 2026"
        return _month_first(tokens, i, parts)
    if word in FILLERS:
        return 1
    return 0


def _number(tokens: list[tuple[str, str, re.Match[str]]], i: int, parts: _Parts) -> int:
    """A bare number: a day before a month's name ("1 Desember"), or an hour before a part of
    the day ("7 malam"); anything else is not understood."""
    value = int(tokens[i][2].group("number"))
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is not None and following[0] == "word" and following[1] in MONTHS:
        if not parts.claim("date"):
            return 0
        year, used = _year_at(tokens, i + 2)
        parts.on = (value, MONTHS[following[1]], year)
        return 2 + used
    if following is not None and following[0] == "word" and following[1] in PARTS:
        if not parts.claim("time"):
            return 0
        parts.hour = value
        return 1
    return 0


def _month_first(tokens: list[tuple[str, str, re.Match[str]]], i: int, parts: _Parts) -> int:
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is None or following[0] != "number" or not parts.claim("date"):
        return 0
    year, used = _year_at(tokens, i + 2)
    parts.on = (int(following[2].group("number")), MONTHS[tokens[i][1]], year)
    return 2 + used


def _year_at(tokens: list[tuple[str, str, re.Match[str]]], i: int) -> tuple[int | None, int]:
    """A four-digit year at ``i`` (and 1 token used), or none."""
    if i < len(tokens) and tokens[i][0] == "number" and len(tokens[i][2].group("number")) == 4:
        return int(tokens[i][2].group("number")), 1
    return None, 0


def _hour_of(parts: _Parts) -> int | None:
    """The hour on a 24-hour clock (24: midnight at the end of the day), or None when the
    words contradict each other ("19:00 pagi", "7pm pagi", "13pm")."""
    hour, part = parts.hour, parts.part
    if hour is None or not 0 <= parts.minute <= 59:
        return None
    if parts.ampm is not None:
        evening = part in ("siang", "sore", "malam")
        if (
            not 1 <= hour <= 12
            or (parts.ampm == "am" and evening)
            or (parts.ampm == "pm" and part == "pagi")
        ):
            return None
        return hour % 12 + (12 if parts.ampm == "pm" else 0)
    if hour > 23 or (part == "pagi" and hour >= 13):
        return None
    if part is None or hour >= 13:
        return hour
    if part == "siang":
        return hour + 12 if 1 <= hour <= 4 else hour
    if part == "sore":
        return hour + 12 if 1 <= hour <= 11 else hour
    if part == "malam":
        if hour == 12:
            return 24
        return hour + 12 if 6 <= hour <= 11 else hour
    return hour


def _moment(parts: _Parts, hour: int, now: datetime, next_day: int) -> datetime | None:
    zone = now.tzinfo

    def at(day: date) -> datetime:
        moment = datetime(day.year, day.month, day.day, hour, parts.minute, tzinfo=zone)
        return moment + timedelta(days=next_day)

    today = now.date()
    if parts.on is not None:
        day_of_month, month, year = parts.on
        try:
            moment = at(date(year or now.year, month, day_of_month))
        except ValueError:
            return None
        if year is None and moment < now - NEXT_YEAR_AFTER:
            try:
                moment = at(date(now.year + 1, month, day_of_month))
            except ValueError:  # 29/2 in a year without one
                return None
        if parts.weekday is not None and moment.weekday() != parts.weekday:
            return None  # "Senin 2/12" when 2/12 is a Tuesday
        if parts.days_ahead is not None and at(today + timedelta(days=parts.days_ahead)) != moment:
            return None  # "besok 1/12" when tomorrow is not 1/12
        return moment
    if parts.weekday is not None:
        ahead = (parts.weekday - today.weekday()) % 7
        moment = at(today + timedelta(days=ahead))
        if ahead == 0 and (parts.after_today or moment <= now):
            moment += timedelta(days=7)
        return moment
    if parts.after_today:
        return None  # "depan" with no weekday
    if parts.days_ahead is not None:
        return at(today + timedelta(days=parts.days_ahead))
    moment = at(today)  # a time alone: the next one to come
    return moment if moment > now else at(today + timedelta(days=1))


def spoken(moment: datetime, language: str) -> str:
    """The moment as the admin reads it back: "Senin, 30 November 2026 pukul 08.30 WIB",
    "Monday 30 November 2026 at 08:30 WIB" (the day's name catches a misread date)."""
    weekday = plain(language, "broadcast.weekday_names").split()[moment.weekday()]
    month = plain(language, "stats.month_names").split()[moment.month - 1]
    separator = "." if language == "id" else ":"
    return plain(
        language,
        "broadcast.when_format",
        weekday=weekday,
        day=moment.day,
        month=month,
        year=moment.year,
        time=f"{moment:%H}{separator}{moment:%M}",
        zone=zone_label(moment),
    )
