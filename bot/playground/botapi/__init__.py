"""A fake Telegram Bot API for tests: the real PTB ``Application`` long-polls it over HTTP.

Start one per test with ``sandbox = await start_sandbox()``, point the bot at
``sandbox.base_url`` / ``sandbox.base_file_url``, then act as people (``sandbox.citizen()``,
``sandbox.group()``) and read the bot's answers. ``sandbox.faults`` and ``sandbox.limits`` add
Telegram's failure modes. See DESIGN.md, "Testing: the sandbox".

Modules: ``world`` (state), ``server`` (HTTP routes, validation, JSON shapes, ``Sandbox``),
``people`` (citizens and groups), ``faults`` (rate limits, injected errors), ``markup``
(Telegram's HTML rules).
"""

from .faults import FaultInjector, RateLimits
from .people import TINY_JPEG, CallbackAnswer, GroupChat, NoMessage, Person
from .server import DEFAULT_TOKEN, ApiError, Sandbox, start_sandbox
from .world import BotMessage, Call, World

__all__ = [
    "DEFAULT_TOKEN",
    "TINY_JPEG",
    "ApiError",
    "BotMessage",
    "Call",
    "CallbackAnswer",
    "FaultInjector",
    "GroupChat",
    "NoMessage",
    "Person",
    "RateLimits",
    "Sandbox",
    "World",
    "start_sandbox",
]
