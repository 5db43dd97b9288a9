"""Settings read once from the environment (after ``.env``) and validated up front.

Why up front: a bot that starts with a bad token or an unwritable database fails minutes later in a
way an operator cannot read. Every problem here becomes one ``ConfigError`` line that names the
variable and the fix, and the CLI turns it into exit code 2 without a traceback.

This module holds what the settings are, their defaults, and the rules that tie variables
together (a webhook needs a port and a secret, retention of failures outlasts that of
deliveries); how a single value is read is :mod:`bot.settings_parsing`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import settings_parsing as read
from bot.ids import parse_id
from bot.settings_parsing import ConfigError
from storage.engines import is_postgres_url

__all__ = ["TELEGRAM_MAX_RATE", "ConfigError", "Settings", "load_settings"]

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_API_FILE_URL = "https://api.telegram.org/file/bot"
SUPPORTED_LANGUAGES = ("id", "en")
_TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # Telegram's secret_token rules
#: The HTTP clients a Bot API call can go through (bot/telegram/http_client.py says why aiohttp).
HttpClient = Literal["aiohttp", "httpx"]
HTTP_CLIENTS: tuple[HttpClient, ...] = ("aiohttp", "httpx")


@dataclass(frozen=True)
class Open311Settings:
    """What Open311 discovery says about this endpoint, and the jurisdiction it serves."""

    jurisdiction_id: str = "wargalapor"  # another jurisdiction_id in a request: 404
    contact: str | None = None  # discovery's contact; None: the operators, at WEB_BASE_URL
    key_service: str | None = None  # discovery's key_service: how an agency gets a key
    endpoint_type: str = "production"  # or "test", for a staging bot


@dataclass(frozen=True)
class Settings:
    """Every runtime setting; built only through :func:`load_settings` so it is always valid."""

    bot_token: str
    api_base_url: str = TELEGRAM_API_BASE_URL
    api_file_url: str = TELEGRAM_API_FILE_URL
    database_path: Path = Path("data/wargalapor.sqlite3")
    # PostgreSQL instead of the SQLite file (several bot processes); DATABASE_PATH's folder
    # still holds the files the bot keeps (uploads).
    database_url: str | None = None
    admin_user_ids: frozenset[int] = frozenset()
    default_language: str = "id"
    timezone: str = "Asia/Jakarta"
    log_level: str = "INFO"
    max_reports_per_hour: int = 10
    max_updates_per_minute: int = 30  # per person: beyond it, one warning and the rest dropped
    areas_file: Path | None = None
    admin_chat_id: int | None = None
    outbox_poll_seconds: float = 2.0
    outbox_max_attempts: int = 8
    geocoder: str = "offline"
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    nominatim_user_agent: str = "wargalapor"
    geocoder_timeout: float = 5.0
    quiet_hours: tuple[time, time] | None = (time(22, 0), time(6, 0))
    survey_after_hours: float = 24.0
    auto_close_days: float = 7.0
    sweep_seconds: float = 60.0
    outbox_backoff_seconds: float = 1.0
    telegram_timeout_seconds: float = 10.0
    telegram_http_client: HttpClient = "aiohttp"
    # Connections to the Bot API kept open at once; a request beyond waits for a free one.
    telegram_pool_size: int = 32
    concurrent_updates: int = 64  # handlers running at once across chats; 1 = one at a time
    broadcast_rate: float = 25.0
    http_host: str = "127.0.0.1"
    http_port: int | None = None  # None: no HTTP server
    web_base_url: str | None = None  # None: http://HTTP_HOST:HTTP_PORT
    http_max_connections: int = 200  # requests served at once; 503 beyond
    http_read_timeout_seconds: float = 10.0  # for a request's head, and again for its body
    http_keep_alive_seconds: float = 5.0  # an idle kept-alive connection is closed after
    webhook_url: str | None = None  # None: long polling
    webhook_secret: str | None = None  # set whenever webhook_url is
    staff_photo_cache_mb: float = 32.0  # the staff pages' photo cache, in memory
    evidence_max_mb: float = 20.0  # one kept photo at most (Telegram's getFile limit)
    evidence_budget_gb: float = 1000.0  # all kept photos together (bot/domain/evidence.py)
    # None: /metrics open to whoever reaches HTTP_HOST; out of repr so no log line shows it.
    metrics_token: str | None = field(default=None, repr=False)
    retention_days: float = 30.0  # sent outbox rows and handled inbox rows
    retention_dead_days: float = 90.0  # outbox rows that failed for good
    log_level_libraries: str | None = None  # None: PTB at INFO, httpx at WARNING
    open311_public_rate_per_minute: int = 60  # anonymous Open311 reads per client address
    trusted_proxies: tuple[str, ...] = ()  # networks whose X-Forwarded-For is believed
    open311: Open311Settings = field(default_factory=lambda: Open311Settings())

    @property
    def database(self) -> str | Path:
        """What Store.open takes: the PostgreSQL URL when set, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _http_client(env: Mapping[str, str]) -> HttpClient:
    raw = (read.text(env, "TELEGRAM_HTTP_CLIENT") or "aiohttp").lower()
    if raw not in HTTP_CLIENTS:
        raise ConfigError(f"TELEGRAM_HTTP_CLIENT={raw!r} is not known: use 'aiohttp' or 'httpx'")
    return raw


def _quiet_hours(env: Mapping[str, str]) -> tuple[time, time] | None:
    raw = read.text(env, "QUIET_HOURS")
    if raw is None:
        return (time(22, 0), time(6, 0))
    if raw.lower() in ("off", "none", "0"):
        return None
    match = re.match(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$", raw)
    if match:
        start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
        if max(start_h, end_h) < 24 and max(start_m, end_m) < 60:
            return time(start_h, start_m), time(end_h, end_m)
    raise ConfigError(
        f"QUIET_HOURS={raw!r} is not a range of local times: use e.g. QUIET_HOURS=22:00-06:00 "
        "or QUIET_HOURS=off"
    )


TELEGRAM_MAX_RATE = 30


def _broadcast_rate(env: Mapping[str, str]) -> float:
    rate = read.positive_float(env, "BROADCAST_RATE", 25.0)
    if rate > TELEGRAM_MAX_RATE:
        raise ConfigError(
            f"BROADCAST_RATE={rate:g} is above Telegram's limit of {TELEGRAM_MAX_RATE} messages "
            "per second: set at most BROADCAST_RATE=30 (25 leaves room for follow-ups)"
        )
    return rate


def _http_host(env: Mapping[str, str]) -> str:
    host = read.text(env, "HTTP_HOST") or "127.0.0.1"
    if not re.match(r"^[A-Za-z0-9.:-]+$", host):
        raise ConfigError(
            f"HTTP_HOST={host!r} is not a host name or IP address: use e.g. HTTP_HOST=127.0.0.1 "
            "(or 0.0.0.0 to listen on every interface)"
        )
    return host


def _http_port(env: Mapping[str, str]) -> int | None:
    raw = read.text(env, "HTTP_PORT")
    if raw is None:
        return None
    port = parse_id(raw)
    if port is None or not 1 <= port <= 65535:
        raise ConfigError(
            f"HTTP_PORT={raw!r} is not a TCP port: set a number from 1 to 65535, e.g. "
            "HTTP_PORT=8080, or leave it empty for no HTTP server"
        )
    return port


def _webhook(env: Mapping[str, str], http_port: int | None) -> tuple[str | None, str | None]:
    """(WEBHOOK_URL, WEBHOOK_SECRET), both None for polling.

    Why the secret is required: the endpoint is public, and without Telegram's secret-token
    header anyone who guesses the URL could post forged updates as any citizen.
    """
    url = read.text(env, "WEBHOOK_URL")
    if url is None:
        return None, None
    if not re.match(r"^https://[^/\s]+\S*$", url):
        raise ConfigError(
            f"WEBHOOK_URL={url!r} is not an https URL (Telegram calls only https): use e.g. "
            "WEBHOOK_URL=https://bot.example.org/telegram, or leave it empty for polling"
        )
    if http_port is None:
        raise ConfigError(
            "WEBHOOK_URL is set but HTTP_PORT is empty: the webhook is served by the bot's HTTP "
            "server, so set HTTP_PORT (e.g. HTTP_PORT=8080) or leave WEBHOOK_URL empty"
        )
    secret = read.text(env, "WEBHOOK_SECRET")
    if secret is None:
        raise ConfigError(
            "WEBHOOK_SECRET is missing: WEBHOOK_URL needs a secret of 1-256 letters, digits, _ or -"
            ", e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if not _WEBHOOK_SECRET_PATTERN.match(secret):
        raise ConfigError(
            "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - only (Telegram's "
            "rule): e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return url, secret


def _metrics_token(env: Mapping[str, str]) -> str | None:
    token = read.text(env, "METRICS_TOKEN")
    if token is not None and not re.match(r"^[\x21-\x7e]{16,256}$", token):
        raise ConfigError(
            "METRICS_TOKEN must be 16-256 printable characters without spaces: e.g. from: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))', or leave it empty"
        )
    return token


_JURISDICTION = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
MAX_DISCOVERY_TEXT = 300


def _open311(env: Mapping[str, str]) -> Open311Settings:
    jurisdiction = read.text(env, "OPEN311_JURISDICTION_ID") or "wargalapor"
    if not _JURISDICTION.match(jurisdiction):
        raise ConfigError(
            f"OPEN311_JURISDICTION_ID={jurisdiction!r} must be 1-100 of A-Z a-z 0-9 . _ -, "
            "e.g. OPEN311_JURISDICTION_ID=jakarta.go.id"
        )
    texts = {}
    for name in ("OPEN311_CONTACT", "OPEN311_KEY_SERVICE"):
        value = read.text(env, name)
        if value is not None and len(value) > MAX_DISCOVERY_TEXT:
            raise ConfigError(f"{name} is over {MAX_DISCOVERY_TEXT} characters: shorten it")
        texts[name] = value
    kind = (read.text(env, "OPEN311_ENDPOINT_TYPE") or "production").lower()
    if kind not in ("production", "test"):
        raise ConfigError(f"OPEN311_ENDPOINT_TYPE={kind!r} is not known: use production or test")
    return Open311Settings(
        jurisdiction, texts["OPEN311_CONTACT"], texts["OPEN311_KEY_SERVICE"], kind
    )


#: Handled inbox rows tell Telegram's redelivery of an update (for up to a day) from a new one.
MIN_RETENTION_DAYS = 2.0


def _retention(env: Mapping[str, str]) -> tuple[float, float]:
    """(RETENTION_DAYS, RETENTION_DEAD_DAYS); bot/domain/retention.py says what each prunes."""
    days = read.positive_float(env, "RETENTION_DAYS", 30.0)
    if days < MIN_RETENTION_DAYS:
        raise ConfigError(
            f"RETENTION_DAYS={days:g} is too short: handled updates must be kept at least "
            f"{MIN_RETENTION_DAYS:g} days to recognise Telegram resending one; set e.g. "
            "RETENTION_DAYS=30"
        )
    dead = read.positive_float(env, "RETENTION_DEAD_DAYS", max(90.0, days))
    if dead < days:
        raise ConfigError(
            f"RETENTION_DEAD_DAYS={dead:g} is shorter than RETENTION_DAYS={days:g}: failed "
            "messages are kept at least as long as delivered ones; set e.g. RETENTION_DEAD_DAYS=90"
        )
    return days, dead


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build validated settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    token = read.text(env, "TELEGRAM_BOT_TOKEN")
    if token is None:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is missing: create a bot with @BotFather and put its token in .env "
            "(see config.example.env)"
        )
    if not _TOKEN_PATTERN.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters): "
            "copy it again from @BotFather"
        )
    language = (read.text(env, "DEFAULT_LANGUAGE") or "id").lower()
    if language not in SUPPORTED_LANGUAGES:
        raise ConfigError(f"DEFAULT_LANGUAGE={language!r} is not supported: use 'id' or 'en'")
    timezone = read.text(env, "TIMEZONE") or "Asia/Jakarta"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"TIMEZONE={timezone!r} is not a known time zone: use an IANA name such as Asia/Jakarta"
        ) from None
    log_level = read.log_level(env, "LOG_LEVEL") or "INFO"
    database_path = Path(read.text(env, "DATABASE_PATH") or "data/wargalapor.sqlite3")
    if database_path.exists() and database_path.is_dir():
        raise ConfigError(
            f"DATABASE_PATH={database_path} is a folder: point it at a file, e.g. "
            "data/wargalapor.sqlite3"
        )
    database_url = _database_url(env)
    areas_raw = read.text(env, "AREAS_FILE")
    areas_file = Path(areas_raw) if areas_raw else None
    if areas_file is not None and not areas_file.is_file():
        raise ConfigError(
            f"AREAS_FILE={areas_file} does not exist: point it at a GeoJSON file or remove the line"
        )
    geocoder = (read.text(env, "GEOCODER") or "offline").lower()
    if geocoder not in ("offline", "nominatim"):
        raise ConfigError(f"GEOCODER={geocoder!r} is not known: use 'offline' or 'nominatim'")
    user_agent = read.text(env, "NOMINATIM_USER_AGENT") or "wargalapor"
    http_port = _http_port(env)
    webhook_url, webhook_secret = _webhook(env, http_port)
    retention_days, retention_dead_days = _retention(env)
    return Settings(
        bot_token=token,
        api_base_url=read.url(env, "TELEGRAM_API_BASE_URL", TELEGRAM_API_BASE_URL),
        api_file_url=read.url(env, "TELEGRAM_API_FILE_URL", TELEGRAM_API_FILE_URL),
        database_path=database_path,
        database_url=database_url,
        admin_user_ids=read.admin_ids(env),
        default_language=language,
        timezone=timezone,
        log_level=log_level,
        max_reports_per_hour=read.positive_int(env, "MAX_REPORTS_PER_HOUR", 10),
        max_updates_per_minute=read.positive_int(env, "MAX_UPDATES_PER_MINUTE", 30),
        areas_file=areas_file,
        admin_chat_id=read.chat_id(env, "ADMIN_CHAT_ID"),
        outbox_poll_seconds=read.positive_float(env, "OUTBOX_POLL_SECONDS", 2.0),
        outbox_max_attempts=read.positive_int(env, "OUTBOX_MAX_ATTEMPTS", 8),
        geocoder=geocoder,
        nominatim_url=read.url(env, "NOMINATIM_URL", "https://nominatim.openstreetmap.org"),
        nominatim_user_agent=user_agent,
        geocoder_timeout=read.positive_float(env, "GEOCODER_TIMEOUT", 5.0),
        quiet_hours=_quiet_hours(env),
        survey_after_hours=read.positive_float(env, "SURVEY_AFTER_HOURS", 24.0),
        auto_close_days=read.positive_float(env, "AUTO_CLOSE_DAYS", 7.0),
        sweep_seconds=read.positive_float(env, "SWEEP_SECONDS", 60.0),
        outbox_backoff_seconds=read.positive_float(env, "OUTBOX_BACKOFF_SECONDS", 1.0),
        telegram_timeout_seconds=read.positive_float(env, "TELEGRAM_TIMEOUT_SECONDS", 10.0),
        telegram_http_client=_http_client(env),
        telegram_pool_size=read.positive_int(env, "TELEGRAM_POOL_SIZE", 32),
        concurrent_updates=read.positive_int(env, "CONCURRENT_UPDATES", 64),
        staff_photo_cache_mb=read.megabytes(env, "STAFF_PHOTO_CACHE_MB", 32.0),
        evidence_max_mb=read.bounded(env, "EVIDENCE_MAX_MB", 20.0, 20),
        evidence_budget_gb=read.megabytes(env, "EVIDENCE_BUDGET_GB", 1000.0),
        broadcast_rate=_broadcast_rate(env),
        http_host=_http_host(env),
        http_port=http_port,
        http_max_connections=read.positive_int(env, "HTTP_MAX_CONNECTIONS", 200),
        http_read_timeout_seconds=read.bounded_seconds(env, "HTTP_READ_TIMEOUT_SECONDS", 10.0, 300),
        http_keep_alive_seconds=read.bounded_seconds(env, "HTTP_KEEP_ALIVE_SECONDS", 5.0, 300),
        web_base_url=(
            read.url(env, "WEB_BASE_URL", "https://lapor.example.go.id").rstrip("/")
            if read.text(env, "WEB_BASE_URL")
            else None
        ),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        metrics_token=_metrics_token(env),
        retention_days=retention_days,
        retention_dead_days=retention_dead_days,
        log_level_libraries=read.log_level(env, "LOG_LEVEL_LIBRARIES"),
        open311_public_rate_per_minute=read.positive_int(env, "OPEN311_PUBLIC_RATE_PER_MINUTE", 60),
        trusted_proxies=read.trusted_proxies(env),
        open311=_open311(env),
    )


def _database_url(env: Mapping[str, str]) -> str | None:
    url = read.text(env, "DATABASE_URL")
    if url is None:
        return None
    if not is_postgres_url(url):
        raise ConfigError(
            "DATABASE_URL must be a PostgreSQL URL such as postgresql://wargalapor@/wargalapor "
            "(remove the line to use the SQLite file at DATABASE_PATH)"
        )
    return url
