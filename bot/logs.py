"""Structured (JSON-lines) logging that never writes a secret or a phone number.

Why a filter on the root handler rather than care at each call site: the token hides inside URLs
that httpx and PTB log on their own, PTB's debug lines carry every request's parameters (a login
link or an invite in a message's text, the webhook's secret token), and a citizen's phone number
can arrive in any text we echo. What counts as a secret is :mod:`bot.redaction`'s; what is a phone
number, :mod:`bot.phones`'s.

Why the libraries have a level of their own (``LOG_LEVEL_LIBRARIES``): ``LOG_LEVEL=DEBUG`` is for
our own code; PTB's and httpx's debug lines are every request in full, and are shown only when
asked for.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from bot.phones import hide_phones
from bot.redaction import REGISTRY, SecretRegistry

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Replaces secrets and phone numbers in the final message and in every extra field."""

    def __init__(self, secrets: list[str], registry: SecretRegistry = REGISTRY) -> None:
        super().__init__()
        self._registry = registry
        for secret in secrets:
            registry.fix(secret)

    def redact(self, text: str) -> str:
        return hide_phones(self._registry.redact(text))

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.redact(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class CancelledJobFilter(logging.Filter):
    """Drops APScheduler's "Error running job" when the job was only cancelled: a stop cancels
    a sweep or outbox tick caught mid-run, and its work is kept in the database and picked up
    at the next start, so a traceback there would only make a clean stop read like a crash."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("apscheduler") or record.exc_info is None:
            return True
        return not isinstance(record.exc_info[1], asyncio.CancelledError)


def setup_logging(
    level: str,
    token: str,
    stream: Any = None,
    *,
    secrets: tuple[str | None, ...] = (),
    libraries: str | None = None,
) -> logging.Handler:
    """JSON lines on ``stream`` at ``level``; ``secrets`` (the webhook secret) are redacted with
    the token; ``libraries`` is the level of PTB's, aiosqlite's and httpx's loggers (None: INFO
    for PTB and aiosqlite, WARNING for httpx, whatever ``level`` says)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CancelledJobFilter())  # first: redaction renders exc_info into text
    handler.addFilter(RedactingFilter([token, *(secret for secret in secrets if secret)]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # PTB logs each call's parameters at DEBUG; httpx every request URL, token included, at INFO;
    # aiosqlite every statement's parameters at DEBUG (citizens' words, the e-mail and names an
    # agency's Open311 request gives for its reporter).
    for name in ("telegram", "aiosqlite"):
        logging.getLogger(name).setLevel(libraries or max(logging.INFO, root.level))
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(libraries or logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # geopy logs request URLs, typed addresses included, at DEBUG.
    logging.getLogger("geopy").setLevel(logging.INFO)
    return handler
