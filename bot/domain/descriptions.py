"""How long a citizen's description is, and how an over-long one is cut, as people count.

Why not ``len``: Python counts code points, so "🗑️" is 2, a thumbs-up with a skin tone 2 and a
family emoji 5 or more, while Telegram's own limits count UTF-16 units (more again). A person
counts what they see: one picture is one character. The rule chosen here is a close
approximation of Unicode's extended grapheme clusters (UAX #29) that needs no extra dependency:
a character together with everything that joins onto it — combining marks, variation selectors,
skin-tone modifiers, the keycap sign, tag characters, the pieces of a zero-width-joiner sequence
— counts once, and a pair of regional indicators (a flag) counts once. Hangul syllables typed as
separate jamo and a few rarer scripts' clusters would count a little high; nobody types those in
a Jakarta street report.

Telegram's card for officers (a text of at most 4,096 UTF-16 units) must hold the description
beside the report's other lines, so a description is also too long past ``MAX_UTF16`` units,
which only a text made almost entirely of emoji ever reaches.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 1000
MAX_UTF16 = 3000  # the card's other lines take well under the rest of Telegram's 4,096

_ZWJ = "\u200d"
_KEYCAP = "\u20e3"


def _joins_previous(char: str) -> bool:
    """A code point that belongs to the character before it."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (the emoji form of ❤ etc.)
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tags (the flags of England, Scotland, Wales)
        or char == _KEYCAP
        or char == _ZWJ
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def graphemes(text: str) -> list[str]:
    """``text`` split into the characters a reader sees (see the module docstring)."""
    clusters: list[str] = []
    joining = False  # the previous code point was a zero-width joiner
    for char in text:
        if clusters and (joining or _joins_previous(char)):
            clusters[-1] += char
        elif clusters and _regional(char) and len(clusters[-1]) == 1 and _regional(clusters[-1]):
            clusters[-1] += char  # the second half of a flag
        else:
            clusters.append(char)
        joining = char == _ZWJ
    return clusters


def length(text: str) -> int:
    """How many characters a person sees in ``text``, surrounding spaces left out."""
    return len(graphemes(text.strip()))


def normalise(text: str) -> str:
    """Whitespace collapsed and case folded: two descriptions that read the same compare equal."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Problem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


def problem(text: str) -> Problem | None:
    """What keeps ``text`` from being a description, if anything."""
    stripped = text.strip()
    if length(stripped) < MIN_DESCRIPTION:
        return Problem.TOO_SHORT
    if length(stripped) > MAX_DESCRIPTION or _utf16(stripped) > MAX_UTF16:
        return Problem.TOO_LONG
    return None


@dataclass(frozen=True)
class Cut:
    """An over-long description shortened: what is kept and what would be lost."""

    kept: str
    lost: str

    @property
    def lost_length(self) -> int:
        return length(self.lost)


def cut(text: str) -> Cut:
    """Keep as much of ``text`` as the limits allow, ending at a word when one ends near there
    (within the last fifth), so the kept part does not stop mid-word."""
    clusters = graphemes(text.strip())
    end = 0
    units = 0
    while end < min(len(clusters), MAX_DESCRIPTION):
        units += _utf16(clusters[end])
        if units > MAX_UTF16:
            break
        end += 1
    if end < len(clusters):
        space = max((i for i in range(end) if clusters[i].isspace()), default=-1)
        if space >= end * 4 // 5:
            end = space
    kept = "".join(clusters[:end]).rstrip()
    lost = "".join(clusters[end:]).strip()
    return Cut(kept, lost)


def excerpt(text: str, characters: int = 60) -> str:
    """The start of ``text``, at most ``characters`` seen characters, with "…" when cut."""
    clusters = graphemes(text.strip())
    if len(clusters) <= characters:
        return "".join(clusters)
    return "".join(clusters[:characters]).rstrip() + "…"
