"""The fake Bot API over HTTP: the routes, and one call's way from request to answer.

The bot under test talks to this server exactly as to ``api.telegram.org`` (``POST
/bot<token>/<method>`` with JSON, form-urlencoded or multipart bodies), so the same sandbox serves
an ``Application`` in the test's own loop and ``python -m bot`` in a subprocess. Validation copies
Telegram's error descriptions so that a bug (unescaped HTML, a 70-byte callback_data, an edit that
changes nothing) fails here with the message it would produce in production.

Unknown methods answer 404 and are recorded, so a method the bot needs but the sandbox lacks
shows up as a failing call instead of a silent success.

The methods themselves are mixins by job over base.py: messages.py, media.py, chats.py,
commands.py and updates.py; the wire format is in protocol.py, and the running ``Sandbox`` the
tests hold is in sandbox.py.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from .chats import ChatMethods
from .commands import CommandMethods
from .faults import FaultInjector, RateLimits
from .media import MediaMethods
from .messages import MessageMethods
from .protocol import ApiError, Ctx, Handler, bad_request, loggable, read_params
from .records import Call
from .updates import UpdateMethods
from .world import World

DEFAULT_TOKEN = "123456:TEST-token-for-the-sandbox-only"

#: Every Bot API method the sandbox implements (anything else answers 404).
METHOD_NAMES = (
    "getMe",
    "logOut",
    "close",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "getUpdates",
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendLocation",
    "sendVenue",
    "sendMediaGroup",
    "sendChatAction",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "getFile",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "getChat",
    "getChatMember",
    "getChatAdministrators",
    "setChatMenuButton",
    "getChatMenuButton",
    "leaveChat",
)


class BotApi(UpdateMethods, MessageMethods, MediaMethods, ChatMethods, CommandMethods):
    """Implements the Bot API methods on top of a World."""

    def __init__(self, world: World, faults: FaultInjector, limits: RateLimits) -> None:
        super().__init__(world, faults, limits)
        self.methods: dict[str, Handler] = {
            name.lower(): getattr(self, "m_" + name) for name in METHOD_NAMES
        }

    # -- HTTP entry points ---------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """``/bot<token>/<method>``: decode, record, maybe fail, run, answer."""
        token = request.match_info["token"]
        method = request.match_info["method"]
        call = Call(method=method, params={}, at=time.time(), chat_id=None)
        self.world.calls.append(call)
        if token != self.world.token:
            return self._answer(call, ApiError(401, "Unauthorized"))
        try:
            params, files = await read_params(request)
        except ApiError as err:
            return self._answer(call, err)
        call.params = loggable(params, files)
        chat_id = params.get("chat_id")
        call.chat_id = chat_id if isinstance(chat_id, int | str) else None
        if call.chat_id is None and method.lower() == "answercallbackquery":
            record = self.world.callbacks.get(str(params.get("callback_query_id")))
            call.chat_id = record.chat_id if record else None
        handler = self.methods.get(method.lower())
        if handler is None:
            return self._answer(call, ApiError(404, "Not Found: method not found"))

        fault = self.faults.pick(method)
        call.fault = fault
        if fault == "429":
            retry_after = self.faults.retry_after
            too_many = ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
            return self._answer(call, too_many)
        if fault == "5xx":
            return self._answer(call, ApiError(502, "Bad Gateway"))
        if fault == "400":
            return self._answer(call, bad_request(self.faults.bad_request))
        if fault == "drop":
            return self._drop(request, call)

        state = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        count = len(params.get("media") or []) if method.lower() == "sendmediagroup" else 1
        retry = self.limits.check(
            method,
            chat_id if isinstance(chat_id, int) else None,
            bool(state and state.is_private),
            max(count, 1),
        )
        if retry is not None:
            limited = ApiError(
                429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
            )
            return self._answer(call, limited)

        name = method.lower()
        self.in_flight[name] += 1
        self.most_in_flight[name] = max(self.most_in_flight[name], self.in_flight[name])
        try:
            if self.faults.latency > 0 and name != "getupdates":
                await self._sleep(self.faults.latency)
            result: Any = await handler(Ctx(params, files, request))
            outcome: Any = result
        except ApiError as err:
            outcome = err
        finally:
            self.in_flight[name] -= 1
        if fault == "timeout":
            await self._sleep(self.faults.timeout_delay)
        if fault == "drop_after":
            if isinstance(outcome, ApiError):
                call.status, call.error = outcome.code, outcome.description
            else:
                call.result = outcome
            return self._drop(request, call)
        return self._answer(call, outcome)

    async def download(self, request: web.Request) -> web.StreamResponse:
        """``/file/bot<token>/<file_path>``: the bytes of a stored file."""
        if request.match_info["token"] != self.world.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        record = self.world.files_by_path.get(request.match_info["file_path"])
        if record is None or record.token != self.world.token:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        self.world.downloads[record.file_id] += 1
        return web.Response(
            body=record.data, content_type=record.mime_type or "application/octet-stream"
        )

    def _answer(self, call: Call, outcome: Any) -> web.Response:
        if isinstance(outcome, ApiError):
            call.status, call.error = outcome.code, outcome.description
            return web.json_response(outcome.payload(), status=outcome.code)
        call.status, call.result = 200, outcome
        return web.json_response({"ok": True, "result": outcome})

    def _drop(self, request: web.Request, call: Call) -> web.Response:
        """Close the connection without an answer (the client sees a network error)."""
        call.status = 0
        call.error = "connection dropped by the sandbox"
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the sandbox closes (so shutdown never hangs)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self.world.closing and loop.time() < deadline:
            await self.world.wait_change(min(0.2, deadline - loop.time()))
