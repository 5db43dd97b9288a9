"""The catalogs stay in step, and parameters can never inject markup."""

from bot.i18n import Html, catalog, language_for, placeholders, t


def test_every_catalog_has_the_same_keys_and_placeholders():
    indonesian, english = catalog("id"), catalog("en")
    assert set(indonesian) == set(english)
    mismatched = [k for k in indonesian if placeholders(indonesian[k]) != placeholders(english[k])]
    assert mismatched == []


def test_parameters_are_escaped_unless_marked_safe():
    text = t("en", "report.current", text="<b>flood</b> & mud")
    assert "&lt;b&gt;flood&lt;/b&gt; &amp; mud" in text
    assert "<b>x</b>" in t("en", "report.current", text=Html("<b>x</b>"))


def test_telegram_language_codes_map_to_supported_languages():
    assert language_for("en-GB") == "en"
    assert language_for("id") == "id"
    assert language_for("fr") == "id"
    assert language_for(None, "en") == "en"


def test_every_message_is_valid_telegram_html():
    """Parsed with the sandbox's copy of Telegram's HTML rules, with awkward parameters."""
    from bot.playground.botapi.markup import parse_html

    for language in ("id", "en"):
        for key, template in catalog(language).items():
            params = {name: "<x> & y" for name in placeholders(template)}
            parse_html(t(language, key, **params))  # raises on bad markup
