"""Times read with the zone people know: WIB, WITA, WIT, or else the offset from UTC."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.moments import DATE, local_time

AT = "2024-05-12T07:05:00+00:00"


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Jakarta", "12/05/2024 14:05 WIB"),
        ("Asia/Makassar", "12/05/2024 15:05 WITA"),
        ("Asia/Jayapura", "12/05/2024 16:05 WIT"),
        ("Asia/Singapore", "12/05/2024 15:05 UTC+8"),  # the tz database says "+08"
        ("Asia/Kolkata", "12/05/2024 12:35 UTC+5:30"),  # "IST" is three countries' name
        ("America/Sao_Paulo", "12/05/2024 04:05 UTC-3"),
        ("UTC", "12/05/2024 07:05 UTC"),
    ],
)
def test_a_time_carries_its_zone(zone, shown):
    assert local_time(ZoneInfo(zone), AT) == shown


def test_a_date_alone_carries_no_zone():
    assert local_time(ZoneInfo("Asia/Jakarta"), AT, DATE) == "12/05/2024"
