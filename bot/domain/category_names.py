"""The category a citizen typed ("banjir", "lampu mati", "garbage") instead of tapping its button.

Why: at the category step people often just write what it is. A button of the category keyboard
sends its label as text too, so the same matching reads both.
"""

from __future__ import annotations

from bot.geo.geocoding import fold
from storage.categories import Category

#: Longer than this, a text is a sentence about the problem, not the name of a category.
MAX_TYPED_WORDS = 4
#: A typed word this long or longer may be the start of a name word ("banj" for "banjir").
MIN_PREFIX = 3


def _names(category: Category) -> list[str]:
    """Every way of naming the category, folded: both languages, its key, its keywords
    (bot/data/categories.toml)."""
    names = [category.name_id, category.name_en, category.key.replace("_", " ")]
    return [fold(name) for name in (*names, *category.keywords)]


def _word_matches(typed: str, words: list[str]) -> bool:
    return any(
        word == typed or (len(typed) >= MIN_PREFIX and word.startswith(typed)) for word in words
    )


def typed_category(text: str, categories: list[Category]) -> list[Category]:
    """The categories a short typed text names: those it names exactly (a whole name or
    keyword, in either language), else those where each typed word is a word of one name or
    the start of one ("lampu mati" is "Lampu jalan mati"). One result is a choice; several mean
    the text was ambiguous ("rusak": a road, or a public facility); none, no category."""
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
