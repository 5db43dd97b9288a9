"""How a moment reads to people: a local time with the zone Indonesians name it by.

Why here: the bot, the staff pages and the case CLI all print times, and a bare "+08" (what the
tz database calls most zones) or a date followed by "WIB" with no time reads wrong. Indonesia's
three zones have names people know (WIB, WITA, WIT, which the tz database also uses); any other
configured zone is shown by its offset from UTC, which everyone can read.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

#: The zone abbreviations people in Indonesia read (Asia/Jakarta, Asia/Makassar, Asia/Jayapura).
INDONESIAN_ZONES = frozenset({"WIB", "WITA", "WIT"})

DATE = "%d/%m/%Y"
DATE_TIME = "%d/%m/%Y %H:%M"


def zone_label(moment: datetime) -> str:
    """``WIB``/``WITA``/``WIT`` for Indonesia's zones, else ``UTC``, ``UTC+8`` or ``UTC+5:30``."""
    name = moment.tzname()
    if name in INDONESIAN_ZONES:
        return name
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset > timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_time(zone: tzinfo, iso: str, fmt: str = DATE_TIME) -> str:
    """``iso`` in ``zone``: with a time, the zone follows it ("14:05 WIB"); a date stands alone
    (a zone after a bare date says nothing)."""
    moment = datetime.fromisoformat(iso).astimezone(zone)
    text = moment.strftime(fmt)
    if "%H" not in fmt:
        return text
    return f"{text} {zone_label(moment)}"
