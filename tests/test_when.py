"""How admins write a broadcast's time (bot/domain/when.py), in Indonesian and English, read in
the bot's zone: each case below is a text and the moment it must name, from one fixed "now"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.when import NEEDS_TIME, NOT_UNDERSTOOD, PAST, UNDERSTOOD, read_when

JAKARTA = ZoneInfo("Asia/Jakarta")
#: Wednesday 25 November 2026, 10:15 in Jakarta.
NOW = datetime(2026, 11, 25, 10, 15, tzinfo=JAKARTA)


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("besok 07:00", at(11, 26, 7)),
        ("Besok 07.00", at(11, 26, 7)),
        ("besok jam 7", at(11, 26, 7)),
        ("besok pukul 7", at(11, 26, 7)),
        ("besok pkl. 07.30 WIB", at(11, 26, 7, 30)),
        ("besok jam 7 malam", at(11, 26, 19)),
        ("besok malam jam 8", at(11, 26, 20)),
        ("besok jam 3 sore", at(11, 26, 15)),
        ("besok jam 1 siang", at(11, 26, 13)),
        ("besok jam 11 siang", at(11, 26, 11)),
        ("besok jam 6 pagi", at(11, 26, 6)),
        ("besok jam 12 malam", at(11, 27, 0)),  # midnight at the end of tomorrow
        ("lusa 07:00", at(11, 27, 7)),
        ("lusa jam 9", at(11, 27, 9)),
        ("hari ini 19:00", at(11, 25, 19)),
        ("nanti 19:00", at(11, 25, 19)),
        ("nanti malam jam 7", at(11, 25, 19)),
        ("malam ini 20.00", at(11, 25, 20)),
        ("Senin 08.30", at(11, 30, 8, 30)),
        ("senin jam 8.30", at(11, 30, 8, 30)),
        ("hari Jum'at 13:00", at(11, 27, 13)),
        ("Rabu 11:00", at(11, 25, 11)),  # today, still ahead
        ("Rabu 09:00", at(12, 2, 9)),  # today's has gone: next week's
        ("Rabu depan 11:00", at(12, 2, 11)),  # "depan": never today
        ("1/12 19:00", at(12, 1, 19)),
        ("01/12/2026 19:00", at(12, 1, 19)),
        ("1-12-26 19:00", at(12, 1, 19)),
        ("2026-12-01 19:00", at(12, 1, 19)),
        ("1 Desember 19.00", at(12, 1, 19)),
        ("tgl 1 Des jam 7 malam", at(12, 1, 19)),
        ("2/1 07:00", at(1, 2, 7, year=2027)),  # early January, written in November
        ("Selasa 1/12 07:00", at(12, 1, 7)),
        ("19:00", at(11, 25, 19)),
        ("07:00", at(11, 26, 7)),  # a time alone: the next one to come
        ("jam 7 malam", at(11, 25, 19)),
        ("tomorrow 7am", at(11, 26, 7)),
        ("tomorrow at 7 pm", at(11, 26, 19)),
        ("Tomorrow 7.30p.m.", at(11, 26, 19, 30)),
        ("today 19:00", at(11, 25, 19)),
        ("tonight 8pm", at(11, 25, 20)),
        ("Mon 08:30", at(11, 30, 8, 30)),
        ("next monday 9am", at(11, 30, 9)),
        ("Friday 12pm", at(11, 27, 12)),
        ("Sat 12am", at(11, 28, 0)),
        ("Dec 1 7pm", at(12, 1, 19)),
        ("December 1st 2026 19:00", at(12, 1, 19)),
        ("day after tomorrow 06:00", at(11, 27, 6)),
        ("31/12/2099 07:00", at(12, 31, 7, year=2099)),
    ],
)
def test_understood(text, expected):
    reading = read_when(text, NOW)
    assert reading.kind == UNDERSTOOD, text
    assert reading.moment == expected, text
    assert reading.moment.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    "text",
    [
        "hari ini 07:00",
        "nanti 10:00",
        "today 9am",
        "24/11 19:00",
        "1/10/2026 08:00",
        "2025-12-01 7:00",
    ],
)
def test_a_time_that_has_gone_is_refused_not_moved(text):
    reading = read_when(text, NOW)
    assert reading.kind == PAST, text
    assert reading.moment is not None and reading.moment <= NOW


@pytest.mark.parametrize("text", ["lusa", "besok", "Senin", "besok pagi", "tomorrow", "1/12"])
def test_a_day_without_a_time_asks_for_the_time(text):
    assert read_when(text, NOW).kind == NEEDS_TIME, text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "secepatnya",
        "besok 7",  # a bare number is no hour
        "besok jam 25",
        "besok 19:75",
        "31/2 07:00",
        "13/13 07:00",
        "besok Senin 07:00",  # two different days
        "besok 1/12 07:00",  # tomorrow is not 1/12
        "Senin 1/12 07:00",  # 1/12/2026 is a Tuesday
        "19:00 pagi",
        "7pm pagi",
        "13pm",
        "besok 07:00 atau 08:00",
        "besok 07:00 lalu",
        "07:00 07:30",
        "1.12.2026 07:00",
        "in 2 hours",
        "depan 07:00",
        "<b>besok</b> 07:00",
    ],
)
def test_not_understood(text):
    assert read_when(text, NOW).kind == NOT_UNDERSTOOD, text


def test_the_zone_is_the_one_given():
    makassar = NOW.astimezone(ZoneInfo("Asia/Makassar"))
    for text in ("besok 07:00", "besok 07:00 WITA"):
        reading = read_when(text, makassar)
        assert reading.moment == datetime(2026, 11, 26, 7, tzinfo=ZoneInfo("Asia/Makassar"))
        assert reading.moment.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("text", ["besok 07:00 WITA", "besok 07:00 WIT", "besok 07:00 UTC"])
def test_another_zone_is_not_taken_for_the_bots(text):
    """Written to a bot on WIB, "07:00 WITA" is 06:00 WIB: refused, not read an hour off."""
    assert read_when(text, NOW).kind == NOT_UNDERSTOOD


def test_the_bots_own_zone_may_be_written():
    assert read_when("besok 07:00 WIB", NOW).moment == at(11, 26, 7)
    utc = NOW.astimezone(ZoneInfo("UTC"))
    assert read_when("tomorrow 7am UTC", utc).moment == datetime(2026, 11, 26, 7, tzinfo=utc.tzinfo)
