"""Telegram's 409 Conflict on ``getUpdates``: somewhere else, another process polls this token.

Why an error handler of its own: ``run_polling`` hands every ``getUpdates`` error to the
application's error handlers (with no update), and PTB retries with a growing pause (at most
30 s). Each retry used to log "update failed" with a traceback, a stream that buried the one
thing the operator has to do. Now the first conflict is one clear error line; the retries while
it lasts are debug lines; a conflict after :data:`QUIET_SECONDS` without one is a new episode,
and is logged again. Polling goes on either way: when the other poller stops, this bot gets its
updates again (Telegram kept them).

The same 409 answers ``getUpdates`` while a webhook is set for the token (a bot in webhook mode
elsewhere); Telegram's own words are in the log line's ``telegram`` field.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram.error import Conflict
from telegram.ext import ApplicationHandlerStop

from bot.telegram.context import BotContext

log = logging.getLogger(__name__)

#: Longer than PTB's longest pause between retries (30 s) plus a long poll, many times over:
#: while a conflict lasts, retries come far more often than this.
QUIET_SECONDS = 300.0


class PollingConflicts:
    """Error handler, registered before the general one: takes polling's 409s, passes the rest."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: float | None = None
        #: Conflicts in the current episode (the logged one included).
        self.count = 0

    async def __call__(self, update: object, context: BotContext) -> None:
        error = context.error
        if update is not None or not isinstance(error, Conflict):
            return  # not ours: the next error handler (handlers/common.py) has it
        now = self._clock()
        if self._last is None or now - self._last > QUIET_SECONDS:
            self.count = 0
            log.error(
                "another process is getting this bot's updates from Telegram (409 Conflict): "
                "only one may poll a bot token; stop the other one (another server, a second "
                "terminal, or a webhook set for this token) or give one of them its own bot. "
                "Retrying quietly meanwhile",
                extra={"telegram": error.message},
            )
        else:
            log.debug("polling conflict goes on", extra={"telegram": error.message})
        self._last = now
        self.count += 1
        raise ApplicationHandlerStop  # no "update failed" traceback from the general handler
