"""User-facing text in Indonesian and English, from ``bot/locales/{id,en}.toml``.

Every message is Telegram HTML, so parameters are HTML-escaped here, once, unless the caller passes
an :class:`Html` value it built from escaped parts. That keeps a citizen's ``<`` or ``&`` from ever
breaking a message (or injecting markup) no matter which handler echoes it.
"""

from __future__ import annotations

import html
import re
import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class Html(str):
    """A string that is already safe Telegram HTML and must not be escaped again."""


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalog(language: str) -> dict[str, str]:
    raw = resources.files("bot.locales").joinpath(f"{language}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(raw))


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def language_for(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Telegram's ``language_code`` mapped to a supported language (``en-GB`` → ``en``)."""
    if code:
        base = code.lower().split("-")[0]
        if base in LANGUAGES:
            return base
    return default


def _escape(value: Any) -> str:
    if isinstance(value, Html):
        return str(value)
    return html.escape(str(value), quote=False)


def t(language: str, key: str, **params: Any) -> Html:
    """The message ``key`` in ``language`` (falling back to Indonesian), parameters escaped."""
    template = catalog(language).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if template is None:
        raise KeyError(f"no text for {key!r}")
    return Html(template.format_map({name: _escape(value) for name, value in params.items()}))


def plain(language: str, key: str, **params: Any) -> str:
    """A text for places that take no HTML (button labels, popups, command descriptions)."""
    template = catalog(language).get(key) or catalog(DEFAULT_LANGUAGE)[key]
    return template.format_map({name: str(value) for name, value in params.items()})


def to_plain(text: str) -> str:
    """Telegram HTML as plain text, for places that show no markup (a venue's address)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
