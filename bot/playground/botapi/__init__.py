"""A fake Telegram Bot API for tests: the real PTB ``Application`` long-polls it over HTTP.

Start one per test with ``sandbox = await start_sandbox()``, point the bot at
``sandbox.base_url`` / ``sandbox.base_file_url``, then act as people (``sandbox.citizen()``,
``sandbox.group()``) and read the bot's answers. ``sandbox.faults`` and ``sandbox.limits`` add
Telegram's failure modes. See DESIGN.md, "Testing: the sandbox".

Modules: ``world`` (state, update queue, waiting) and ``records`` (what it stores); ``server``
(routes, one call's way to an answer) over the method mixins ``base``, ``messages``, ``media``,
``chats``, ``commands`` and ``updates``, with ``protocol`` (wire format, errors); ``sandbox``
(``Sandbox``, ``start_sandbox``); ``chatview``, ``keyboards``, ``people`` and ``groups``
(citizens and groups); ``faults`` (rate limits, injected errors); ``markup`` (Telegram's HTML
rules).
"""

from .chatview import TINY_JPEG, CallbackAnswer, NoMessage
from .faults import FaultInjector, RateLimits
from .groups import GroupChat
from .people import Person
from .protocol import ApiError
from .records import BotMessage, Call
from .sandbox import Sandbox, start_sandbox
from .server import DEFAULT_TOKEN
from .world import World

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
