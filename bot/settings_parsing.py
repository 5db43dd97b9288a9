"""How one environment variable is read: a number, a URL, a list of ids, a log level.

Why apart from :mod:`bot.config`: these readers are the same for every variable (each refusal a
:class:`ConfigError` naming the variable and an example of a good value); :mod:`bot.config` keeps
what the settings are, their defaults, and the rules that tie several variables together.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping

from bot.ids import parse_id

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable and the fix."""


def text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def url(env: Mapping[str, str], name: str, default: str) -> str:
    value = text(env, name) or default
    if not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(f"{name}={value!r} is not an http(s) URL: use e.g. {default}")
    return value


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = text(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a whole number: set e.g. {name}={default}"
        ) from None
    if value < 1:
        raise ConfigError(f"{name}={value} must be at least 1: set e.g. {name}={default}")
    return value


def positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = text(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number: set e.g. {name}={default}") from None
    if value <= 0:
        raise ConfigError(f"{name}={value} must be above 0: set e.g. {name}={default}")
    return value


def bounded_seconds(env: Mapping[str, str], name: str, default: float, highest: float) -> float:
    """Seconds for a timer: above 0 and at most ``highest`` ("inf" and "nan" are numbers to
    ``float`` but no timer can be armed with them)."""
    return bounded(env, name, default, highest)


def bounded(env: Mapping[str, str], name: str, default: float, highest: float) -> float:
    """A number above 0 and at most ``highest`` (a timer, a size a service cannot exceed)."""
    value = positive_float(env, name, default)
    if not value <= highest:
        raise ConfigError(
            f"{name}={value} must be at most {highest:g}: set e.g. {name}={default:g}"
        )
    return value


def megabytes(env: Mapping[str, str], name: str, default: float) -> float:
    """A memory budget: above 0 and finite ("nan" and "inf" parse as floats)."""
    value = positive_float(env, name, default)
    if not math.isfinite(value) or value > 1024 * 1024:
        raise ConfigError(f"{name}={value} is not a size in megabytes: set e.g. {name}={default:g}")
    return value


def log_level(env: Mapping[str, str], name: str) -> str | None:
    raw = text(env, name)
    if raw is None:
        return None
    if raw.upper() not in LOG_LEVELS:
        raise ConfigError(f"{name}={raw!r} is not valid: use one of {', '.join(LOG_LEVELS)}")
    return raw.upper()


def trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    """Why none by default: X-Forwarded-For is whatever the client wrote, unless a proxy we run
    set it; believing it from anyone lets one client pose as many (and dodge the rate limit)."""
    raw = text(env, "TRUSTED_PROXIES")
    if raw is None:
        return ()
    networks = []
    for part in re.split(r"[,\s]+", raw):
        if not part:
            continue
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ConfigError(
                f"TRUSTED_PROXIES contains {part!r}: list IP addresses or networks of your "
                "reverse proxies, e.g. TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8"
            ) from None
    return tuple(networks)


def chat_id(env: Mapping[str, str], name: str) -> int | None:
    raw = text(env, name)
    if raw is None:
        return None
    if not re.match(r"^-?\d+$", raw):
        raise ConfigError(
            f"{name}={raw!r} is not a chat id: use the numeric id of the admins' group, "
            "e.g. -1001234567890"
        )
    return int(raw)


def admin_ids(env: Mapping[str, str]) -> frozenset[int]:
    raw = text(env, "ADMIN_USER_IDS")
    if raw is None:
        return frozenset()
    ids: set[int] = set()
    for part in re.split(r"[,\s]+", raw):
        if not part:
            continue
        if parse_id(part) is None:
            raise ConfigError(
                f"ADMIN_USER_IDS contains {part!r}: list numeric Telegram user ids separated "
                "by commas, e.g. ADMIN_USER_IDS=12345678,87654321"
            )
        ids.add(int(part))
    return frozenset(ids)
