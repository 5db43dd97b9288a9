"""Every secret the bot holds, and the shapes of the ones it mints, so no log line carries one.

Why both a registry and patterns: the registry knows the exact strings this process holds (the
bot token, the webhook secret, and each login link, invite and API key the moment it is minted),
wherever they show up in a line; the patterns catch the same kinds of secret minted by another
process (``python -m bot apikey create`` while the bot runs) or arriving in a request (an invite
in ``/start inv_…``, a login link's ``token=``, an ``X-Api-Key`` header), which no registry can
know. Register each new secret with :func:`remember` where it is created: one line there.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from storage.apikeys import KEY_PREFIX

HIDDEN = "[token]"
MAX_REMEMBERED = 10_000  # login links live ten minutes, invites days: the newest are kept
_RUN = re.compile(r"[A-Za-z0-9_-]{8,}")  # token_urlsafe's alphabet: where a minted one can hide
SHAPES = (
    re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}"),  # a bot token, in a URL or anywhere
    re.compile(rf"(?<![A-Za-z0-9]){re.escape(KEY_PREFIX)}[A-Za-z0-9_-]{{16,}}"),  # an API key
    re.compile(r"(?<![A-Za-z0-9])inv_[A-Za-z0-9_-]{8,}"),  # an invite: ?start=inv_…, /start inv_…
    # A login link (?token=…), a session cookie, Telegram's secret-token header or parameter, an
    # api_key field: a secret by the name it is given, in a URL, a header, a dict or JSON.
    re.compile(
        r"(?i)((?:[?&]token|wl_staff|secret[_-]token|x-telegram-bot-api-secret-token|api[_-]key)"
        r"['\"]?\s*[:=]\s*['\"]?)(?!\[token\])[^\s&'\",;}\]]+"
    ),
)


class SecretRegistry:
    """The exact secrets of this process. Thread-safe: PTB logs from its own threads too."""

    def __init__(self) -> None:
        self._fixed: list[str] = []
        self._minted: OrderedDict[str, None] = OrderedDict()
        self._lengths: set[int] = set()
        self._lock = threading.Lock()

    def fix(self, secret: str | None) -> None:
        """A secret for the process's lifetime (the bot token, the webhook secret)."""
        if secret and secret not in self._fixed:
            with self._lock:
                self._fixed = sorted({*self._fixed, secret}, key=len, reverse=True)

    def remember(self, secret: str) -> None:
        """A secret minted at runtime (URL-safe base64, as ``secrets.token_urlsafe`` makes)."""
        if not secret:
            return
        with self._lock:
            self._minted[secret] = None
            self._minted.move_to_end(secret)
            while len(self._minted) > MAX_REMEMBERED:
                self._minted.popitem(last=False)
            self._lengths = {len(known) for known in self._minted}

    def _hide_minted(self, match: re.Match[str]) -> str:
        """Looks up every window of a run of token characters: a set lookup per position and
        known length, instead of one ``str.replace`` per remembered secret and line."""
        run = match.group(0)
        lengths, minted = self._lengths, self._minted
        for length in sorted(lengths, reverse=True):
            start = 0
            while start + length <= len(run):
                if run[start : start + length] in minted:
                    run = run[:start] + HIDDEN + run[start + length :]
                    start += len(HIDDEN)
                else:
                    start += 1
        return run

    def redact(self, text: str) -> str:
        for secret in self._fixed:
            text = text.replace(secret, HIDDEN)
        if self._minted:
            text = _RUN.sub(self._hide_minted, text)
        for shape in SHAPES:
            text = shape.sub(lambda m: (m.group(1) if m.groups() else "") + HIDDEN, text)
        return text


REGISTRY = SecretRegistry()


def remember(secret: str) -> str:
    """Registers a freshly minted secret with the log redaction; returns it, so the line that
    mints it can stay one line."""
    REGISTRY.remember(secret)
    return secret
