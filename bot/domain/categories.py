"""Loads the bundled category list, refusing a malformed file at start rather than mid-report."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from importlib import resources
from pathlib import Path

from bot.domain.attributes import parse_attributes
from storage.categories import Category

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


def _flag(entry: dict[str, object], name: str, key: str) -> bool:
    value = entry.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"category {key!r}: {name} must be true or false")
    return value


def _optional_text(entry: dict[str, object], name: str, key: str) -> str | None:
    value = entry.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"category {key!r}: {name} must be a non-empty text")
    return value.strip()


RESOLVE_PHOTO = ("required", "optional")


def _resolve_photo(entry: dict[str, object], key: str) -> str:
    value = entry.get("resolve_photo", "optional")
    if value not in RESOLVE_PHOTO:
        raise ValueError(f'category {key!r}: resolve_photo must be "required" or "optional"')
    return str(value)


def _keywords(entry: dict[str, object], key: str) -> tuple[str, ...]:
    value = entry.get("keywords", "")
    if not isinstance(value, str):
        raise ValueError(f"category {key!r}: keywords must be a text of comma-separated words")
    return tuple(dict.fromkeys(word.strip().lower() for word in value.split(",") if word.strip()))


def load_categories(path: Path | None = None) -> list[Category]:
    raw = (
        path.read_text(encoding="utf-8")
        if path
        else resources.files("bot.data").joinpath("categories.toml").read_text(encoding="utf-8")
    )
    document = tomllib.loads(raw)
    entries = document.get("category", [])
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
                group_id=_optional_text(entry, "group_id", key),
                group_en=_optional_text(entry, "group_en", key),
                keywords=_keywords(entry, key),
                resolve_photo=_resolve_photo(entry, key),
            )
        except KeyError as missing:
            raise ValueError(f"category {key!r}: {missing.args[0]} is missing") from None
        seen.add(key)
        categories.append(category)
    if not categories:
        raise ValueError("no categories defined")
    questions = parse_attributes(document.get("attribute", []), [c.key for c in categories])
    return [
        dataclasses.replace(category, attributes=questions.get(category.key, ()))
        for category in categories
    ]
