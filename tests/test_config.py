"""Configuration: every bad value is refused with a message naming the variable and the fix."""

from pathlib import Path

import pytest

from bot.config import (
    TELEGRAM_API_BASE_URL,
    TELEGRAM_API_FILE_URL,
    ConfigError,
    load_settings,
)

TOKEN = "123456:TEST-token-for-the-sandbox-only"


def test_defaults_are_those_documented():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.api_base_url == TELEGRAM_API_BASE_URL  # Telegram's own, never called in tests
    assert settings.api_file_url == TELEGRAM_API_FILE_URL
    assert settings.api_base_url.endswith("/bot") and settings.api_file_url.endswith("/file/bot")
    assert settings.database_path == Path("data/wargalapor.sqlite3")
    assert settings.default_language == "id"
    assert settings.timezone == "Asia/Jakarta"
    assert settings.max_reports_per_hour == 10
    assert settings.admin_user_ids == frozenset()
    assert settings.staff_photo_cache_mb == 32.0


def test_values_are_read_and_normalised():
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "ADMIN_USER_IDS": "111, 222 333",
            "DEFAULT_LANGUAGE": "EN",
            "LOG_LEVEL": "debug",
            "MAX_REPORTS_PER_HOUR": "3",
        }
    )
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.admin_user_ids == {111, 222, 333}
    assert settings.default_language == "en"
    assert settings.log_level == "DEBUG"
    assert settings.max_reports_per_hour == 3


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"ADMIN_USER_IDS": "12,abc"}, "ADMIN_USER_IDS"),
        ({"ADMIN_USER_IDS": "12,³"}, "ADMIN_USER_IDS"),
        ({"HTTP_PORT": "8²"}, "HTTP_PORT"),
        ({"DEFAULT_LANGUAGE": "fr"}, "DEFAULT_LANGUAGE"),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"MAX_REPORTS_PER_HOUR": "ten"}, "MAX_REPORTS_PER_HOUR"),
        ({"MAX_REPORTS_PER_HOUR": "0"}, "MAX_REPORTS_PER_HOUR"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org"}, "TELEGRAM_API_BASE_URL"),
        ({"AREAS_FILE": "/nonexistent/areas.geojson"}, "AREAS_FILE"),
        ({"STAFF_PHOTO_CACHE_MB": "0"}, "STAFF_PHOTO_CACHE_MB"),
        ({"STAFF_PHOTO_CACHE_MB": "nan"}, "STAFF_PHOTO_CACHE_MB"),
        ({"STAFF_PHOTO_CACHE_MB": "inf"}, "STAFF_PHOTO_CACHE_MB"),
        ({"STAFF_PHOTO_CACHE_MB": "32 MB"}, "STAFF_PHOTO_CACHE_MB"),
    ],
)
def test_bad_values_name_the_variable(env, variable):
    full = {"TELEGRAM_BOT_TOKEN": TOKEN, **env} if variable != "TELEGRAM_BOT_TOKEN" else env
    with pytest.raises(ConfigError) as error:
        load_settings(full)
    assert str(error.value).startswith(variable)
    assert ":" in str(error.value)  # the fix follows the colon
