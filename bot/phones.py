"""Indonesian phone numbers in text, as citizens type them: the one pattern the logs and the
public API both hide.

Why one owner: the log filter and Open311's public text once had a pattern each, and a form one
of them missed (``+62 812 3456 7890``, ``(0812) 3456 7890``, ``0812.3456.7890``) went out in
full. A mobile number is ``0`` or ``62``/``+62`` (``(+62)``, ``+62 (0)``), then ``8``, then 8 to
12 more digits, optionally grouped by single spaces, dots, dashes or brackets; a landline needs
its area code in brackets, ``(021) 345 6789``, because bare ``0xx…`` digit runs are too often
dates (``01.12.2026``) or codes. A number inside a longer run of digits or letters (a kelurahan
code ``3173080003``, a coordinate ``106.8272``) is never a phone: the match may not start or end
inside a word.
"""

from __future__ import annotations

import re

_SEPARATOR = r"[ \t.\-()]{0,2}"  # at most two between digits: "12) 34", "12 - 34" is not one
PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:"
    rf"\(?\+?62\)?{_SEPARATOR}(?:\(0\){_SEPARATOR})?\(?8(?:{_SEPARATOR}\d){{8,12}}"  # +62 8…
    rf"|\(?0{_SEPARATOR}8(?:{_SEPARATOR}\d){{8,12}}"  # 08…, (0812) …
    rf"|\(0[2-9]\d{{1,2}}\){_SEPARATOR}\d(?:{_SEPARATOR}\d){{5,7}}"  # (021) 345 6789
    r")"
    r"(?![\w:])"  # "08-12-2026 08:30" is a date and a time
)
HIDDEN = "[phone]"


def hide_phones(text: str) -> str:
    """``text`` with every phone number replaced by ``[phone]``."""
    return PHONE.sub(HIDDEN, text)
