"""Loads the bundled category list, refusing a malformed file at start rather than mid-report,
and finds the category a citizen typed ("banjir", "lampu mati", "garbage") instead of tapping."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from bot.geo.geocoding import fold
from storage.categories import Category

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


def _flag(entry: dict[str, object], name: str, key: str) -> bool:
    value = entry.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"category {key!r}: {name} must be true or false")
    return value


def _aliases(entry: dict[str, object], key: str) -> tuple[str, ...]:
    value = entry.get("aliases", [])
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise ValueError(f"category {key!r}: aliases must be a list of words")
    return tuple(value)


def load_categories(path: Path | None = None) -> list[Category]:
    raw = (
        path.read_text(encoding="utf-8")
        if path
        else resources.files("bot.data").joinpath("categories.toml").read_text(encoding="utf-8")
    )
    entries = tomllib.loads(raw).get("category", [])
    categories: list[Category] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        key = str(entry.get("key", ""))
        if not _KEY.match(key) or key in seen:
            raise ValueError(f"category #{index}: key {key!r} is missing, malformed or repeated")
        try:
            category = Category(
                key=key,
                emoji=str(entry["emoji"]),
                name_id=str(entry["name_id"]),
                name_en=str(entry["name_en"]),
                sla_hours=int(entry["sla_hours"]),
                photo_required=bool(entry["photo_required"]),
                position=index,
                sensitive=_flag(entry, "sensitive", key),
                aliases=_aliases(entry, key),
            )
        except KeyError as missing:
            raise ValueError(f"category {key!r}: {missing.args[0]} is missing") from None
        seen.add(key)
        categories.append(category)
    if not categories:
        raise ValueError("no categories defined")
    return categories


#: Longer than this, a text is a sentence about the problem, not the name of a category.
MAX_TYPED_WORDS = 4
#: A typed word this long or longer may be the start of a name word ("banj" for "banjir").
MIN_PREFIX = 3


def _names(category: Category) -> list[str]:
    """Every way of naming the category, folded: both languages, its key, its aliases."""
    names = [category.name_id, category.name_en, category.key.replace("_", " ")]
    return [fold(name) for name in (*names, *category.aliases)]


def _word_matches(typed: str, words: list[str]) -> bool:
    return any(
        word == typed or (len(typed) >= MIN_PREFIX and word.startswith(typed)) for word in words
    )


def typed_category(text: str, categories: list[Category]) -> list[Category]:
    """The categories a short typed text names, best first: those it names exactly (a whole
    name or alias, in either language), else those where each typed word is a word of one name
    or the start of one ("lampu mati" is "Lampu jalan mati"). One result is a choice; several
    mean the text was ambiguous ("jalan": road damage or a street light); none, no category."""
    query = fold(text)
    words = query.split()
    if not words or len(words) > MAX_TYPED_WORDS:
        return []
    exact = [c for c in categories if query in _names(c)]
    if exact:
        return exact
    return [
        category
        for category in categories
        if any(all(_word_matches(w, name.split()) for w in words) for name in _names(category))
    ]
