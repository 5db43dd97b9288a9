"""Telegram's HTML formatting rules, reproduced so that markup bugs fail in tests as in production.

The parser follows TDLib's ``parse_html`` (the code behind the Bot API's ``parse_mode=HTML``): it
works on UTF-8 bytes, reports errors with byte offsets and measures entities in UTF-16 code units,
so the error descriptions and entity offsets match what the real server returns.

One deliberate difference: real Telegram keeps a bare ``&`` that does not start a supported entity
as a literal character. By default the sandbox rejects it (``strict_ampersand=True``) because in
this project such a character means user text was not passed through ``html.escape`` -- the same
bug that makes ``<`` in user text fail in production.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

#: Tags Telegram accepts (``span`` only with ``class="tg-spoiler"``).
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

_SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACE = b" \t\r\n\x0b\x0c"


class MarkupError(ValueError):
    """A text Telegram would refuse; ``str(err)`` is the part after "can't parse entities: "."""


@dataclass
class _Open:
    """A start tag waiting for its end tag."""

    tag: str
    argument: str
    utf16_offset: int
    text_index: int
    byte_offset: int


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(data: bytes, pos: int, strict: bool) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos`` as TDLib does; returns (character, next position) or None."""
    end = pos + 1
    if data[end : end + 1] == b"#":
        end += 1
        value = 0
        if data[end : end + 1] == b"x":
            end += 1
            start = end
            while end < len(data) and chr(data[end]) in "0123456789abcdefABCDEF":
                end += 1
            value = int(data[start:end], 16) if end > start else 0
        else:
            start = end
            while end < len(data) and 48 <= data[end] <= 57:
                end += 1
            value = int(data[start:end]) if end > start else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        start = end
        while end < len(data) and (65 <= data[end] <= 90 or 97 <= data[end] <= 122):
            end += 1
        named = _NAMED_ENTITIES.get(data[start:end])
        if named is None:
            return None
        char = named
    if data[end : end + 1] == b";":
        end += 1
    elif strict:
        return None
    return char, end


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) for an HTML-formatted message, or raise MarkupError."""
    data = text.encode("utf-8")
    out: list[str] = []
    utf16 = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(data)

    def at(k: int) -> int:
        return data[k] if k < n else 0

    while i < n:
        c = data[i]
        if c == 0x26:  # '&'
            decoded = _decode_entity(data, i, strict_ampersand)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                utf16 += utf16_len(char)
                continue
            if strict_ampersand:
                raise MarkupError(
                    f"Unsupported HTML entity at byte offset {i} (sandbox strict mode: Telegram "
                    "would show a bare '&' literally, but it means the text was not escaped with "
                    "html.escape; write &amp;)"
                )
        if c != 0x3C:  # not '<': copy one UTF-8 character
            length = 1 if c < 0x80 else 2 if c < 0xE0 else 3 if c < 0xF0 else 4
            char = data[i : i + length].decode("utf-8", errors="replace")
            out.append(char)
            utf16 += utf16_len(char)
            i += length
            continue

        begin = i
        i += 1
        if at(i) != 0x2F:  # start tag
            while i < n and at(i) not in _SPACE and at(i) != 0x3E:
                i += 1
            if i >= n:
                raise MarkupError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].decode("utf-8", errors="replace").lower()
            if tag not in SUPPORTED_TAGS:
                raise MarkupError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != 0x3E:
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) == 0x3E:
                    break
                attr_begin = i
                while i < n and at(i) not in _SPACE and at(i) not in (0x3D, 0x3E):
                    i += 1
                attr_name = data[attr_begin:i].decode("utf-8", errors="replace")
                if not attr_name:
                    raise MarkupError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) != 0x3D:  # '='
                    if tag == "blockquote" and attr_name == "expandable":
                        argument = "1"
                        continue
                    if i >= n:
                        raise MarkupError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    raise MarkupError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {begin}'
                    )
                i += 1
                while i < n and at(i) in _SPACE:
                    i += 1
                if i >= n:
                    raise MarkupError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (0x22, 0x27):
                    token_begin = i
                    while i < n and ((chr(at(i)).isalnum() and at(i) < 0x80) or at(i) in b".-"):
                        i += 1
                    value = data[token_begin:i].decode().lower()
                    if at(i) not in _SPACE and at(i) != 0x3E:
                        raise MarkupError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    raw_begin = i
                    while i < n and at(i) != quote:
                        i += 1
                    raw = data[raw_begin:i].decode("utf-8", errors="replace")
                    chars.append(html.unescape(raw))
                    value = "".join(chars)
                    if at(i) == quote:
                        i += 1
                if i >= n:
                    raise MarkupError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr_name == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise MarkupError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            i += 1  # skip '>'
            stack.append(_Open(tag, argument, utf16, len(out), begin))
            continue

        # end tag
        if not stack:
            raise MarkupError(f"Unexpected end tag at byte offset {begin}")
        i += 1
        name_begin = i
        while i < n and at(i) not in _SPACE and at(i) != 0x3E:
            i += 1
        end_name = data[name_begin:i].decode("utf-8", errors="replace")
        while i < n and at(i) in _SPACE:
            i += 1
        if at(i) != 0x3E:
            raise MarkupError(f"Unclosed end tag at byte offset {begin}")
        i += 1
        opened = stack.pop()
        if end_name and end_name != opened.tag:
            raise MarkupError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", '
                f'found "</{end_name}>"'
            )
        length = utf16 - opened.utf16_offset
        if opened.tag == "tg-emoji" and (
            not opened.argument.isdigit() or int(opened.argument) == 0
        ):
            raise MarkupError("Invalid custom emoji identifier specified")
        if length <= 0:
            continue
        entity: dict[str, Any] = {"offset": opened.utf16_offset, "length": length}
        if opened.tag in _SIMPLE_ENTITY_TYPES:
            entity["type"] = _SIMPLE_ENTITY_TYPES[opened.tag]
        elif opened.tag == "a":
            url = opened.argument or "".join(out[opened.text_index :])
            match = re.fullmatch(r"tg://user\?id=(\d+)", url)
            if match:
                entity["type"] = "text_mention"
                entity["user"] = {"id": int(match.group(1)), "is_bot": False, "first_name": "?"}
            elif re.match(r"^(https?|tg|ftp)://|^[\w.-]+\.[a-z]{2,}", url, re.IGNORECASE):
                entity["type"] = "text_link"
                entity["url"] = url
            else:
                continue  # Telegram silently drops links it cannot use
        elif opened.tag == "code":
            entity["type"] = "code"
            if opened.argument:
                entity["language"] = opened.argument
        elif opened.tag == "pre":
            entity["type"] = "pre"
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last["offset"] == entity["offset"]
                and last["length"] == length
            ):
                entities.pop()
                if "language" in last:
                    entity["language"] = last["language"]
        elif opened.tag == "blockquote":
            entity["type"] = "expandable_blockquote" if opened.argument else "blockquote"
        elif opened.tag == "tg-emoji":
            entity["type"] = "custom_emoji"
            entity["custom_emoji_id"] = opened.argument
        entities.append(entity)

    if stack:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def strip_html(text: str) -> str:
    """Visible text of an HTML message, leniently (for assertions, never raises)."""
    try:
        return parse_html(text, strict_ampersand=False)[0]
    except MarkupError:
        return html.unescape(re.sub(r"<[^>]*>", "", text))
