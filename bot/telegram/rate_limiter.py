"""PTB's ``AIORateLimiter``, which every Bot API call passes through, plus two mercies.

A call that failed before Telegram could have carried it out -- the connection dropped or was
refused, a 502 from Telegram's front door -- is tried again twice, shortly: otherwise the citizen
would lose the next prompt of their report to one network hiccup (tests/test_fault_soak.py
shows it). A timeout is not retried: the message may well have been
sent, and a second copy is worse than a late one. PTB itself retries only flood waits (429).

And a button press can be answered once, within about 15 seconds. A press the bot answers late (a
backlog after a restart), or a second time (an update replayed after a crash, see
``bot/telegram/inbox.py``, whose first run had answered it), is refused with "query is too old
... or
query ID is invalid". The pop-up is a courtesy; the press's real work (a status change, the
next step of a report) must still happen. So that refusal answers ``False`` instead of raising
out of whichever of the many handlers made the call, and the caller that needs to know whether
its pop-up was seen (the error handler) checks the result.

Downloads (``getFile``: the evidence job keeping every photo, the staff pages) send nothing to
anyone, and Telegram's limits (30 messages a second, 20 a minute per group) are about messages:
they neither wait for nor take from the sending budget, so keeping a burst of photos never slows
a citizen's answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

_EXPIRED_QUERY = ("query is too old", "query id is invalid")
RETRY_DELAYS = (0.3, 1.0)  # seconds before the second and the third try
JSONDict = dict[str, Any]


Result = bool | JSONDict | list[JSONDict]
#: Calls that send nothing: outside the sending budget (still retried on a network failure).
UNLIMITED = frozenset({"getFile"})


class BotRateLimiter(AIORateLimiter):
    def __init__(
        self, *, overall_max_rate: float, overall_time_period: float, **kwargs: Any
    ) -> None:
        super().__init__(
            overall_max_rate=overall_max_rate, overall_time_period=overall_time_period, **kwargs
        )
        self._overall = (overall_max_rate, overall_time_period)
        self._processes = 1

    def share(self, processes: int) -> None:
        """Several processes send for one bot: each keeps to its part of Telegram's 30 a
        second (the same burst, refilled ``processes`` times slower), so together they stay
        inside it. PTB keeps its overall bucket in ``_base_limiter``; replacing it is the one
        way to change the rate (tests/test_several_processes.py sees the sum of all
        processes' sends)."""
        processes = max(1, processes)
        if processes == self._processes:
            return
        burst, period = self._overall
        self._base_limiter = AsyncLimiter(burst, period * processes)
        self._processes = processes
        log.info("sending budget shared", extra={"processes": processes})

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        limited: Callable[[], Awaitable[Result]]
        if endpoint in UNLIMITED:
            limited = partial(callback, *args, **kwargs)
        else:
            limited = partial(
                super().process_request, callback, args, kwargs, endpoint, data, rate_limit_args
            )
        try:
            return await _with_retries(limited, endpoint)
        except BadRequest as error:
            expired = any(words in error.message.lower() for words in _EXPIRED_QUERY)
            if endpoint != "answerCallbackQuery" or not expired:
                raise
            log.info("button press could not be answered any more", extra={"reason": error.message})
            return False


async def _with_retries(call: Callable[[], Awaitable[Result]], endpoint: str) -> Result:
    for delay in (*RETRY_DELAYS, None):
        try:
            return await call()
        except TimedOut:
            raise
        except NetworkError as error:
            if delay is None or endpoint == "getUpdates" or isinstance(error, BadRequest):
                raise
            log.info("retrying a call", extra={"method": endpoint, "reason": error.message})
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
