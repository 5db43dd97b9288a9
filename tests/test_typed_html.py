"""An admin's typed announcement becomes the HTML that is sent (bot/domain/typed_html.py),
judged against the sandbox's copy of Telegram's own parser (bot/playground/botapi/markup.py)."""

from __future__ import annotations

import random

import pytest

from bot.domain.typed_html import (
    BROKEN_TAG,
    EMPTY,
    MISMATCHED_END,
    UNCLOSED,
    UNEXPECTED_END,
    UNSUPPORTED_TAG,
    Problem,
    prepare,
)
from bot.playground.botapi.markup import MarkupError, parse_html


def shown(sent: str) -> str:
    """What Telegram shows for ``sent`` (strictly parsed: a bare '&' would fail here)."""
    return parse_html(sent)[0].strip()


@pytest.mark.parametrize(
    "typed",
    [
        "Suhu < 30 & hujan deras",
        "Nilai <5 atau >10",
        "Tom & Jerry: <3",
        "x<y dan a&b",
        "Tulis &lt; untuk kurang dari",  # no tag: the admin's "&lt;" is four characters
        "Pakai <br> untuk baris baru",  # <br> is no Telegram tag: not HTML, so text
        "AT&T, R&D, &amp; &#60;",
        "Harga Rp5.000 & <10% diskon>",
    ],
)
def test_plain_text_is_sent_as_typed(typed):
    prepared = prepare(typed)
    assert not prepared.formatted and prepared.problem is None
    assert shown(prepared.html) == typed


@pytest.mark.parametrize(
    ("typed", "visible", "entity_types"),
    [
        ("<b>Peringatan banjir</b>: Siaga 1", "Peringatan banjir: Siaga 1", ["bold"]),
        ("<B>Awas</B> <i>banjir</i>", "Awas banjir", ["bold", "italic"]),
        ("<b>Banjir</b> di Jl. A & B, suhu < 30", "Banjir di Jl. A & B, suhu < 30", ["bold"]),
        ('<a href="https://jakarta.go.id/?a=1&b=2">info</a>', "info", ["text_link"]),
        ("<b>a &amp; b &lt;c&gt;</b>", "a & b <c>", ["bold"]),
        ("<b>a &amp b</b>", "a & b", ["bold"]),  # Telegram reads "&amp" without ";" too
        ('<span class="tg-spoiler">rahasia</span>', "rahasia", ["spoiler"]),
        ("<blockquote expandable>kutipan</blockquote>", "kutipan", ["expandable_blockquote"]),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", ["pre"]),
        ("<b>tebal <i>miring</i></b>", "tebal miring", ["bold", "italic"]),
        (
            "<u>garis</u> <s>coret</s> <tg-spoiler>x</tg-spoiler>",
            "garis coret x",
            ["underline", "strikethrough", "spoiler"],
        ),
    ],
)
def test_telegram_html_is_kept_and_sent_well_formed(typed, visible, entity_types):
    prepared = prepare(typed)
    assert prepared.formatted and prepared.problem is None
    text, entities = parse_html(prepared.html)  # strict: no bare '&' left
    assert text == visible and prepared.visible == visible
    assert sorted(e["type"] for e in entities) == sorted(entity_types)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("<b>Awas banjir", Problem(UNCLOSED, "b")),
        ("<b>Awas</b> <i>banjir", Problem(UNCLOSED, "i")),
        ("<b>Awas</i></b>", Problem(MISMATCHED_END, "b")),
        ("Awas</b> banjir <i>x</i>", Problem(UNEXPECTED_END, "b")),
        ("<b>Awas</b><br>banjir", Problem(UNSUPPORTED_TAG, "br")),
        ("<b>Awas</b><br/>banjir", Problem(UNSUPPORTED_TAG, "br")),
        ("<p><b>Awas</b></p>", Problem(UNSUPPORTED_TAG, "p")),
        ("<b>Awas</b> <span>x</span>", Problem(BROKEN_TAG, "span")),
        ('<a href="https://x.id">x</a> <b', Problem(BROKEN_TAG, "b")),
        ("<a href>x</a>", Problem(BROKEN_TAG, "a")),
    ],
)
def test_broken_html_is_explained_and_the_escaped_text_offered(typed, problem):
    prepared = prepare(typed)
    assert prepared.problem == problem
    assert not prepared.formatted
    assert shown(prepared.html) == typed.strip()  # the alternative: exactly as typed
    with pytest.raises(MarkupError):  # and Telegram would indeed have refused it
        parse_html(typed, strict_ampersand=False)


@pytest.mark.parametrize("typed", ["<b></b>", "<b> </b> <i></i>"])
def test_html_with_nothing_to_read_is_refused(typed):
    """Telegram would refuse it too ("message text is empty"), after its parser accepted it."""
    prepared = prepare(typed)
    assert prepared.problem == Problem(EMPTY) and not prepared.formatted
    assert parse_html(typed)[0].strip() == ""


def test_anything_prepared_is_accepted_by_telegram():
    """Random texts from the characters HTML is made of: whatever prepare() sends, Telegram
    takes; when it kept formatting, recipients read what Telegram would have shown for the
    typed text; when it did not, they read the typed text itself; and HTML called broken is
    HTML Telegram would refuse."""
    pieces = [
        "<",
        ">",
        "/",
        "&",
        ";",
        "#",
        "b",
        "i",
        "a",
        " ",
        "=",
        '"',
        "x",
        "lt",
        "amp",
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        '<a href="https://x.id">',
        "</a>",
        "&#60;",
        "1",
    ]
    rng = random.Random(14)
    kept = 0
    for _ in range(3000):
        typed = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        if not typed.strip():
            continue
        prepared = prepare(typed)
        try:
            text = shown(prepared.html)
        except MarkupError as error:
            raise AssertionError(f"{typed!r} -> {prepared.html!r}: {error}") from error
        if prepared.formatted:
            try:
                expected = parse_html(typed, strict_ampersand=False)[0].strip()
            except MarkupError:
                continue  # a '<' before a space or digit: read as text, where Telegram fails
            assert text == expected, typed
            kept += 1
        else:
            assert text == typed.strip(), typed
        if prepared.problem is not None and prepared.problem.kind != EMPTY:
            with pytest.raises(MarkupError):
                parse_html(typed, strict_ampersand=False)
    assert kept > 30  # the formatted branch was exercised, not only the refusals
