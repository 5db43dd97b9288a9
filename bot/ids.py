"""Whole numbers typed or sent by people: report references, pages, ports, user ids.

Not ``str.isdigit``: it accepts "²" and "٣", which ``int`` refuses (a crash where a polite
"not a number" was meant), and any length, which SQLite's 64-bit integers refuse.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,15}")


def parse_id(text: str | None) -> int | None:
    """The number written in ASCII digits (at most 15 of them), else None."""
    return int(text) if text is not None and _DIGITS.fullmatch(text) else None
