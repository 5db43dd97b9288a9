"""The words ``when`` (when.py) understands, in Indonesian and English: days, weekdays, months,
parts of the day and the small words around them.

Kept as tables apart from the parser so a new way of saying a time is one word added here, and
the parser keeps to its rules (every word understood or the whole text refused).
"""

from __future__ import annotations


def _numbered(*groups: str, start: int = 0) -> dict[str, int]:
    """Each group's words (comma-separated) mapped to the group's position, from ``start``."""
    return {w.strip(): n for n, group in enumerate(groups, start) for w in group.split(",")}


def _meaning(**groups: str) -> dict[str, str]:
    """Each group's words (comma-separated) mapped to the group's name."""
    return {w.strip(): name for name, group in groups.items() for w in group.split(",")}


#: Words for a day, as a number of days from today. Longest phrases are tried first.
DAY_WORDS = _numbered(
    "hari ini, today, nanti", "besok, esok, tomorrow", "lusa, besok lusa, day after tomorrow"
)
#: Today, with the part of the day it implies ("malam ini" is this evening).
TODAY_PARTS = _meaning(
    malam="malam ini, nanti malam, tonight",
    sore="sore ini, nanti sore, this afternoon, this evening",
    pagi="pagi ini, this morning",
    siang="siang ini, nanti siang",
)
#: Monday is 0, as ``date.weekday()``; names and the short forms people write.
WEEKDAYS = _numbered(
    "senin, sen, monday, mon",
    "selasa, sel, tuesday, tue, tues",
    "rabu, rab, wednesday, wed",
    "kamis, kam, thursday, thu, thur, thurs",
    "jumat, jum, friday, fri",
    "sabtu, sab, saturday, sat",
    "minggu, ahad, min, sunday, sun",
)
MONTHS = _numbered(
    "januari, january, jan",
    "februari, pebruari, february, feb, peb",
    "maret, march, mar",
    "april, apr",
    "mei, may",
    "juni, june, jun",
    "juli, july, jul",
    "agustus, august, agu, agt, agus, aug",
    "september, sept, sep",
    "oktober, october, okt, oct",
    "november, nopember, nov, nop",
    "desember, december, des, dec",
    start=1,
)
#: Parts of the day: "jam 7 malam" is 19:00, "jam 3 sore" 15:00, "jam 1 siang" 13:00.
PARTS = _meaning(
    pagi="pagi, morning", siang="siang", sore="sore, afternoon, evening", malam="malam, night"
)
#: Words that introduce an hour: after them a bare number is one ("jam 7").
HOUR_MARKS = frozenset({"jam", "pukul", "pkl", "at"})
#: "depan"/"next" after or before a weekday: the next one, never today.
NEXT_WORDS = frozenset({"depan", "next"})
#: Words that carry nothing: "hari Senin", "tanggal 1/12", "on Monday", "Senin ini".
FILLERS = frozenset({"hari", "tanggal", "tgl", "on", "the", "of", "this", "ini"})
