"""A description is measured as people count characters: one picture is one character."""

from __future__ import annotations

import pytest

from bot.domain import descriptions
from tests.helpers import until_description


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("banjir", 6),
        ("🗑️🗑️🗑️🗑️🗑️", 5),  # each with its emoji variation selector
        ("👍🏽👍🏽", 2),  # skin tone
        ("👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧", 3),  # zero-width-joiner families
        ("🇮🇩🇮🇩🇯🇵", 3),  # flags: pairs of regional indicators
        ("1️⃣2️⃣", 2),  # keycaps
        ("café", 4),
        ("cafe\u0301", 4),  # e with a combining accent
        ("  Air 🌊  ", 5),  # spaces around are not counted
    ],
)
def test_characters_are_counted_as_seen(text, seen):
    assert descriptions.length(text) == seen


def test_limits_count_seen_characters():
    assert descriptions.problem("🌊" * 9) is descriptions.Problem.TOO_SHORT
    assert descriptions.problem("🌊" * 10) is None
    assert descriptions.problem("a" * 1000) is None
    assert descriptions.problem("a" * 1001) is descriptions.Problem.TOO_LONG
    # 1,000 families fit the count but not an officer's card (11 UTF-16 units each).
    assert descriptions.problem("👨‍👩‍👧‍👦" * 1000) is descriptions.Problem.TOO_LONG


def test_a_cut_keeps_whole_words_and_says_what_goes():
    text = " ".join(["kata"] * 300)  # 1,499 characters
    cut = descriptions.cut(text)
    assert len(cut.kept) <= 1000 and cut.kept.endswith("kata")
    assert (cut.kept + " " + cut.lost) == text and cut.lost_length == len(cut.lost)
    families = descriptions.cut("👨‍👩‍👧‍👦" * 400)
    assert descriptions.problem(families.kept) is None and not families.kept.endswith("\u200d")


@pytest.mark.parametrize(
    ("language", "said"),
    [("id", "terlalu pendek (5 huruf)"), ("en", "too short (5 characters)")],
)
async def test_too_short_counts_emoji_as_people_do(sandbox, bot, language, said):
    warga = sandbox.citizen(language_code=language)
    await until_description(warga, category="🌊")
    await warga.send("🗑️🗑️🗑️🗑️🗑️")
    assert said in (await warga.next_message()).plain_text
