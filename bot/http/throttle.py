"""A token bucket per client address for the public Open311 reads, with a bounded memory.

Why: the reads need no key, so one client could page through every report as fast as SQLite
answers, starving the bot that shares the process. Each address gets ``rate`` requests a minute
(a burst of as many, then one every ``60 / rate`` seconds); past that, 429 and ``Retry-After``.
At most ``max_clients`` addresses are tracked: the one seen least recently is forgotten first (it
starts again with a full bucket, which is the harmless direction).

The address is the connecting one. ``X-Forwarded-For`` is believed only from ``trusted``
networks (``TRUSTED_PROXIES``), read from the right: the first hop that is no trusted proxy.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from starlette.requests import Request

MAX_CLIENTS = 10_000


class TokenBuckets:
    def __init__(
        self,
        rate_per_minute: int,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = float(rate_per_minute)
        self._per_second = rate_per_minute / 60.0
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float | None:
        """None if ``client`` may go ahead (one token taken), else the seconds to wait."""
        now = self._clock()
        tokens, at = self._buckets.pop(client, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - at) * self._per_second)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        return None if allowed else (1.0 - tokens) / self._per_second


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: Request, trusted: Sequence[str]) -> str:
    """The client's address: the peer, or behind trusted proxies the hop before them."""
    peer = request.client.host if request.client else "unknown"
    networks = [ipaddress.ip_network(network) for network in trusted]

    def is_trusted(text: str) -> bool:
        address = _address(text)
        return address is not None and any(address in network for network in networks)

    if not networks or not is_trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not is_trusted(hop):
            return hop if _address(hop) is not None else peer
    return peer
