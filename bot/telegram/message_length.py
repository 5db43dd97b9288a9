"""Every message built from people's words fits Telegram's limits: 4,096 characters for a text,
1,024 for a photo's caption. Past them Telegram refuses the message outright ("message is too
long"), so a report with many long staff notes could never be shown again.

One owner for the rule: a message is measured as Telegram measures it (the text after the HTML is
parsed, in UTF-16 units, which is never less than Telegram's count), notes are shortened first,
and a history keeps its latest events with a pointer to the earlier ones.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from bot.i18n import Html, t

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
SHORT_NOTE = 200  # a note in a long history: enough to recognise it
ELLIPSIS = "…"
_TAG = re.compile(r"<[^>]*>")


def visible_length(message: str) -> int:
    """What Telegram counts: the text without its tags, entities decoded, in UTF-16 units."""
    text = html.unescape(_TAG.sub("", message)).strip()
    return len(text.encode("utf-16-le")) // 2


def fits(message: str, limit: int = TEXT_LIMIT) -> bool:
    return visible_length(message) <= limit


def shorten(text: str, max_chars: int) -> str:
    text = text.strip()
    if len(text) <= max_chars:
        return text
    return text[: max(0, max_chars - 1)].rstrip() + ELLIPSIS


def fit_text(build: Callable[[str], Html], text: str, limit: int = TEXT_LIMIT) -> Html:
    """``build(text)`` with ``text`` (a note, a description) shortened until the message fits."""
    message = build(text)
    budget = len(text)
    while not fits(message, limit) and budget > 0:
        budget = max(0, budget - (visible_length(message) - limit) - 1)
        message = build(shorten(text, budget))
    return message


def fit_history(
    build: Callable[[Html], Html],
    lines: Sequence[Callable[[int | None], Html]],
    language: str,
    limit: int = TEXT_LIMIT,
) -> Html:
    """``build(history)`` with as much of the history as fits, oldest first in ``lines``; each
    line renders itself with its note cut to the given length (None: whole). Whole notes
    first, then short notes, then the oldest lines go, behind "… N earlier updates not shown".
    """
    for note_max in (None, SHORT_NOTE):
        message = build(Html("\n".join(line(note_max) for line in lines)))
        if fits(message, limit):
            return message
    short = [line(SHORT_NOTE) for line in lines]
    for skipped in range(1, len(short) + 1):
        pointer = t(language, "common.earlier_not_shown", count=skipped)
        message = build(Html("\n".join([pointer, *short[skipped:]])))
        if fits(message, limit):
            return message
    return message
