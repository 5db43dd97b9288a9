"""An admin's typed announcement, made into the Telegram HTML that is sent.

Why: a broadcast goes out with ``parse_mode=HTML``, so a plain "Suhu < 30 & hujan" would be
refused by Telegram (a bare ``<`` starts a tag) or shown changed (``&lt;`` typed to mean those
four characters). So the text is sent exactly as typed, escaped, unless the admin clearly wrote
Telegram HTML: at least one of the tags Telegram supports, and the whole text well formed by
Telegram's rules. Text that tries HTML and gets it wrong (an unclosed ``<b>``, a ``<br>``) is
neither guessed at nor sent to Telegram to be judged: :func:`prepare` says what is wrong, in terms
the admin's catalog can phrase, and offers the escaped text as the alternative.

The rules are those of Telegram's HTML parser (TDLib's ``parse_html``;
bot/playground/botapi/markup.py reproduces it for the tests): supported tags only, ``span``
only as ``class="tg-spoiler"``,
every start tag closed in order, the entities ``&lt; &gt; &amp; &quot;`` and ``&#…;``. Two things
Telegram itself reads as text are made explicit: a ``&`` that starts no entity, and a ``<`` that
cannot start a tag (before a space or a digit). The text sent is rebuilt from what was parsed,
so it is well formed by construction. No Telegram import here (bot/domain).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

#: Tags Telegram accepts in HTML (``span`` only with ``class="tg-spoiler"``).
SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "pre",
        "code",
        "tg-spoiler",
        "span",
        "tg-emoji",
        "blockquote",
    }
)

UNSUPPORTED_TAG = "unsupported_tag"  # <br>, <p>, <div>, <h1>, ...
UNCLOSED = "unclosed"  # <b> with no </b>
UNEXPECTED_END = "unexpected_end"  # </b> with nothing open
MISMATCHED_END = "mismatched_end"  # <b><i></b>
BROKEN_TAG = "broken_tag"  # <b, <a href=, <span class="x">
EMPTY = "empty"  # nothing left to read once the tags are gone

#: A supported tag, start or end: what "the admin clearly wrote HTML" looks for.
_SUPPORTED = re.compile(
    r"</?(?:" + "|".join(sorted(SUPPORTED_TAGS, key=len, reverse=True)) + r")(?=[\s>/])",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)(?![a-zA-Z])|#(\d+)|#x([0-9a-fA-F]+));?")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_START = re.compile(r"<(/?)([^\s>]*)")
_ATTRIBUTE = re.compile(r"""\s*([^\s=>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([\w.-]+)))?""")


@dataclass(frozen=True)
class Problem:
    """What keeps typed HTML from being sent: a kind above and the tag concerned."""

    kind: str
    tag: str = ""


@dataclass(frozen=True)
class Prepared:
    """The text to send (``html``), whether the admin's tags are kept as formatting, and when
    their HTML is broken, the :class:`Problem` (``html`` is then the escaped alternative)."""

    html: str
    formatted: bool
    problem: Problem | None = None

    @property
    def visible(self) -> str:
        """What recipients read, for length limits."""
        return visible_text(self.html)


def prepare(typed: str) -> Prepared:
    """The announcement for ``typed`` (the admin's text as they typed it, no entities)."""
    escaped = html.escape(typed, quote=False)
    if not looks_like_html(typed):
        return Prepared(escaped, formatted=False)
    rebuilt = parse(typed)
    if isinstance(rebuilt, Problem):
        return Prepared(escaped, formatted=False, problem=rebuilt)
    return Prepared(rebuilt, formatted=True)


def looks_like_html(typed: str) -> bool:
    """Whether the admin wrote at least one tag Telegram supports (``<b>``, ``</i>``, ...)."""
    return _SUPPORTED.search(typed) is not None


def visible_text(sent: str) -> str:
    """The text a recipient reads from well-formed Telegram HTML (tags dropped, entities read)."""
    return html.unescape(re.sub(r"<[^>]*>", "", sent)).strip()


def parse(typed: str) -> str | Problem:
    """``typed`` as well-formed Telegram HTML, or the first :class:`Problem` in it."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(typed)
    while i < n:
        char = typed[i]
        if char == "&":
            entity = _entity_at(typed, i)
            if entity is None:
                out.append("&amp;")
                i += 1
            else:
                decoded, i = entity
                out.append(html.escape(decoded, quote=False))
            continue
        if char != "<" or not _can_start_tag(typed, i):
            out.append(html.escape(char, quote=False))
            i += 1
            continue
        tag = _tag_at(typed, i, stack)
        if isinstance(tag, Problem):
            return tag
        written, i = tag
        out.append(written)
    if stack:
        return Problem(UNCLOSED, stack[-1])
    result = "".join(out)
    if not visible_text(result):
        return Problem(EMPTY)
    return result


def _can_start_tag(text: str, i: int) -> bool:
    """Telegram takes every ``<`` as a tag; one before a space, a digit or the end cannot be
    one, so it is read as the character the admin meant ("nilai < 5", "<3")."""
    following = text[i + 1 : i + 2]
    return following.isalpha() or following == "/"


def _entity_at(text: str, i: int) -> tuple[str, int] | None:
    """The character an entity at ``i`` stands for and where it ends, as Telegram decodes
    it; None when the ``&`` starts none (and so is a literal ``&``)."""
    match = _ENTITY.match(text, i)
    if match is None:
        return None
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name], match.end()
    digits = decimal or hexadecimal
    if len(digits) > 7:
        return None
    value = int(decimal) if decimal else int(hexadecimal, 16)
    if value == 0 or value >= 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        return None
    return chr(value), match.end()


def _tag_at(text: str, i: int, stack: list[str]) -> tuple[str, int] | Problem:
    """The tag at ``i`` as it is sent, and where it ends; the stack of open tags follows."""
    close = text.find(">", i)
    head = _TAG_START.match(text, i)
    assert head is not None  # _can_start_tag saw a letter or "/"
    ending, name = head.group(1) == "/", head.group(2).lower()
    if close < 0:
        return Problem(BROKEN_TAG, name)
    if ending:
        if text[head.end() : close].strip():
            return Problem(BROKEN_TAG, name)
        if not stack:
            return Problem(UNEXPECTED_END, name)
        opened = stack.pop()
        if name and name != opened:
            return Problem(MISMATCHED_END, opened)
        return f"</{opened}>", close + 1
    if name not in SUPPORTED_TAGS:
        return Problem(UNSUPPORTED_TAG, name.rstrip("/"))
    attributes = _attributes(text[head.end() : close])
    if attributes is None:
        return Problem(BROKEN_TAG, name)
    if name == "span" and attributes.get("class") != "tg-spoiler":
        return Problem(BROKEN_TAG, name)
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        return Problem(BROKEN_TAG, name)
    stack.append(name)
    return _start_tag(name, attributes), close + 1


def _attributes(inside: str) -> dict[str, str] | None:
    """``name="value"`` pairs of a start tag (None when they do not read as such)."""
    found: dict[str, str] = {}
    position = 0
    while inside[position:].strip():
        match = _ATTRIBUTE.match(inside, position)
        if match is None or match.end() == position:
            return None
        name = match.group(1).lower()
        values = [v for v in match.group(2, 3, 4) if v is not None]
        if not values and name != "expandable":  # <blockquote expandable>
            return None
        found[name] = html.unescape(values[0]) if values else ""
        position = match.end()
    return found


def _start_tag(name: str, attributes: dict[str, str]) -> str:
    """The start tag rebuilt with only the attributes Telegram reads."""
    kept = {
        "a": ("href",),
        "span": ("class",),
        "code": ("class",),
        "tg-emoji": ("emoji-id",),
        "blockquote": ("expandable",),
    }.get(name, ())
    parts = [name]
    for attribute in kept:
        if attribute not in attributes:
            continue
        value = attributes[attribute]
        if attribute == "expandable":
            parts.append("expandable")
        else:
            parts.append(f'{attribute}="{html.escape(value, quote=True)}"')
    return "<" + " ".join(parts) + ">"
