"""Telegram's flood limits and injected failures, so reliability code meets the errors it survives.

Both are off by default: a plain test should never see a 429 it did not ask for.

* ``RateLimits`` answers 429 with ``retry_after`` like Telegram does when a bot sends faster than
  about 30 messages/s overall, 1 message/s to one private chat (short bursts tolerated) or 20
  messages/min to one group. Only sending methods count; edits and answers do not.
* ``FaultInjector`` makes chosen or random calls fail: ``"429"`` (flood wait), ``"5xx"`` (502 Bad
  Gateway), ``"timeout"`` (the call is carried out but answered only after ``timeout_delay``
  seconds, so the client times out *after* the message was sent -- the case that creates
  duplicates), ``"drop"`` (the connection is closed before anything happens) and ``"drop_after"``
  (carried out, then the connection is closed without an answer), and ``"400"`` (refused with
  ``Bad Request: `` and ``bad_request``, as Telegram refuses what it will not show, e.g. a
  change in its formatting rules). ``getUpdates`` is spared unless a ``methods`` filter or
  ``fail_next`` names it.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass

FAULT_KINDS = ("429", "5xx", "timeout", "drop", "drop_after", "400")

#: Methods that put a message in a chat and therefore count against the flood limits.
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendlocation",
        "sendvenue",
        "sendmediagroup",
        "sendcontact",
        "sendsticker",
        "sendvoice",
        "sendvideo",
        "sendanimation",
        "sendaudio",
        "sendpoll",
        "copymessage",
        "forwardmessage",
    }
)


class RateLimits:
    """Flood control like Telegram's; ``check`` returns seconds to wait, or None to go ahead."""

    def __init__(self) -> None:
        self.enabled = False
        self.global_per_second = 30
        self.private_per_second = 1.0
        self.private_burst = 3
        self.group_per_minute = 20
        self.served_429 = 0
        self._global: deque[float] = deque()
        self._private: dict[int, tuple[float, float]] = {}
        self._groups: dict[int, deque[float]] = {}

    def enable(
        self,
        global_per_second: int = 30,
        private_per_second: float = 1.0,
        private_burst: int = 3,
        group_per_minute: int = 20,
    ) -> None:
        """Start enforcing the limits (all windows start empty)."""
        self.enabled = True
        self.global_per_second = global_per_second
        self.private_per_second = private_per_second
        self.private_burst = private_burst
        self.group_per_minute = group_per_minute
        self.reset()

    def disable(self) -> None:
        """Stop enforcing; counters are kept."""
        self.enabled = False

    def reset(self) -> None:
        """Forget past sends (not the 429 counter)."""
        self._global.clear()
        self._private.clear()
        self._groups.clear()

    def check(
        self, method: str, chat_id: int | None, is_private: bool, count: int = 1
    ) -> int | None:
        """Account for a send of ``count`` messages; return retry_after seconds if over a limit.

        A refused send consumes nothing, as with Telegram: the bot may retry after the wait.
        """
        if not self.enabled or method.lower() not in SENDING_METHODS:
            return None
        now = time.monotonic()
        waits: list[float] = []

        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        if len(self._global) + count > self.global_per_second:
            waits.append(self._global[0] + 1.0 - now if self._global else 1.0)

        tokens = 0.0
        if chat_id is not None and is_private:
            tokens, last = self._private.get(chat_id, (float(self.private_burst), now))
            tokens = min(float(self.private_burst), tokens + (now - last) * self.private_per_second)
            if tokens < count:
                waits.append((count - tokens) / self.private_per_second)
        group_window: deque[float] | None = None
        if chat_id is not None and not is_private:
            group_window = self._groups.setdefault(chat_id, deque())
            while group_window and group_window[0] <= now - 60.0:
                group_window.popleft()
            if len(group_window) + count > self.group_per_minute:
                waits.append(group_window[0] + 60.0 - now if group_window else 60.0)

        if waits:
            self.served_429 += 1
            return max(1, math.ceil(max(waits)))
        self._global.extend([now] * count)
        if chat_id is not None and is_private:
            self._private[chat_id] = (tokens - count, now)
        if group_window is not None:
            group_window.extend([now] * count)
        return None


@dataclass
class _Scripted:
    method: str
    kind: str
    remaining: int


class FaultInjector:
    """Decides, per call, whether to fail it and how (see the module docstring for kinds)."""

    def __init__(self, seed: int | None = None) -> None:
        self.random = random.Random(seed)
        self.rate = 0.0
        self.kinds: tuple[str, ...] = ()
        self.methods: frozenset[str] | None = None
        #: How long a "timeout" fault holds the answer back; longer than PTB's 5 s read timeout.
        self.timeout_delay = 6.0
        #: retry_after sent with an injected 429.
        self.retry_after = 1
        #: What an injected 400 says after "Bad Request: ".
        self.bad_request = 'can\'t parse entities: Unsupported start tag "x" at byte offset 0'
        #: Seconds every call but getUpdates takes before it is carried out: a far-away server
        #: (Jakarta to Telegram is a few hundred ms), so work that waits on each call shows.
        self.latency = 0.0
        self.served: Counter[str] = Counter()
        self._scripted: list[_Scripted] = []

    def inject(
        self,
        rate: float = 0.2,
        kinds: Iterable[str] = ("429", "5xx", "timeout", "drop"),
        methods: Iterable[str] | None = None,
        seed: int | None = None,
    ) -> None:
        """Fail a random ``rate`` share of calls (to ``methods`` only, if given) with ``kinds``."""
        kinds = tuple(kinds)
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {FAULT_KINDS}")
        if seed is not None:
            self.random.seed(seed)
        self.rate = rate
        self.kinds = kinds
        self.methods = frozenset(m.lower() for m in methods) if methods is not None else None

    def fail_next(self, method: str, kind: str = "5xx", count: int = 1) -> None:
        """Fail the next ``count`` calls to ``method`` with ``kind`` (deterministic tests)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {FAULT_KINDS}")
        self._scripted.append(_Scripted(method.lower(), kind, count))

    def clear(self) -> None:
        """Stop all injection (random and scripted)."""
        self.rate = 0.0
        self.kinds = ()
        self.methods = None
        self._scripted.clear()

    def pick(self, method: str) -> str | None:
        """The fault to apply to this call, or None."""
        name = method.lower()
        for scripted in self._scripted:
            if scripted.method == name and scripted.remaining > 0:
                scripted.remaining -= 1
                if scripted.remaining == 0:
                    self._scripted.remove(scripted)
                self.served[scripted.kind] += 1
                return scripted.kind
        if self.rate <= 0 or not self.kinds:
            return None
        if self.methods is None:
            if name == "getupdates":
                return None
        elif name not in self.methods:
            return None
        if self.random.random() >= self.rate:
            return None
        kind = self.random.choice(self.kinds)
        self.served[kind] += 1
        return kind
