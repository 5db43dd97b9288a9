"""The fake Bot API over HTTP: routes, parameter decoding, validation and Telegram's JSON shapes.

The bot under test talks to this server exactly as to ``api.telegram.org`` (``POST
/bot<token>/<method>`` with JSON, form-urlencoded or multipart bodies), so the same sandbox serves
an ``Application`` in the test's own loop and ``python -m bot`` in a subprocess. Validation copies
Telegram's error descriptions so that a bug (unescaped HTML, a 70-byte callback_data, an edit that
changes nothing) fails here with the message it would produce in production.

Unknown methods answer 404 and are recorded, so a method the bot needs but the sandbox lacks
shows up as a failing call instead of a silent success.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import re
import struct
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .faults import FaultInjector, RateLimits
from .markup import MarkupError, parse_html, utf16_len
from .people import GroupChat, Person, member_json
from .world import (
    DEFAULT_ALLOWED_UPDATES,
    BotMessage,
    Call,
    CallbackRecord,
    ChatState,
    FileRecord,
    World,
)

JSONDict = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-token-for-the-sandbox-only"

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
ANSWER_TEXT_LIMIT = 200

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "media",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "menu_button",
        "results",
        "options",
    }
)
_INT_FIELDS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "duration",
        "width",
        "height",
        "max_connections",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy", "timeout"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "has_spoiler",
        "show_caption_above_media",
        "disable_content_type_detection",
        "allow_paid_broadcast",
        "revoke_messages",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "callback_game",
    "pay",
    "copy_text",
)
_MENU_BUTTON_TYPES = frozenset({"default", "commands", "web_app"})
_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)

#: Update types whose body is a Message (``Sandbox.deliver_raw`` stores them in their chat).
_RAW_MESSAGE_KINDS = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "business_message"}
)

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


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        """The JSON body Telegram would send."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {text}")


@dataclass
class Upload:
    """A file sent in a multipart body."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Ctx:
    """What a method handler gets: decoded parameters, uploaded files and the HTTP request."""

    params: JSONDict
    files: dict[str, Upload]
    request: web.Request

    def client_gone(self) -> bool:
        """True when the caller hung up (a killed bot process), so long polls can give up."""
        transport = self.request.transport
        return transport is None or transport.is_closing()


Handler = Callable[[Ctx], Awaitable[Any]]


def _coerce(key: str, value: Any) -> Any:
    """Turn a form value (always a string) into the type the JSON body would have carried."""
    try:
        if key in _JSON_FIELDS and isinstance(value, str):
            return json.loads(value)
        if key == "chat_id" and isinstance(value, str):
            return int(value) if re.fullmatch(r"-?\d+", value.strip()) else value
        if key in _INT_FIELDS and isinstance(value, str):
            return int(value)
        if key in _FLOAT_FIELDS and isinstance(value, str):
            return float(value)
        if key in _BOOL_FIELDS and isinstance(value, str):
            return value.strip().lower() in ("true", "1")
    except ValueError as exc:
        raise bad_request(f"can't parse parameter {key}: {exc}") from exc
    return value


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: JSONDict = dict(request.query)
    files: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.read()
            if body.strip():
                try:
                    decoded = json.loads(body)
                except ValueError as exc:
                    raise bad_request("can't parse JSON object") from exc
                if not isinstance(decoded, dict):
                    raise bad_request("JSON object expected")
                params.update(decoded)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    params[key] = value
    return {key: _coerce(key, value) for key, value in params.items()}, files


def _loggable(params: JSONDict, files: dict[str, Upload]) -> JSONDict:
    """Parameters for the call record, with uploads summarised instead of their bytes."""
    record = dict(params)
    for key, upload in files.items():
        record[key] = f"<upload {upload.filename!r} {len(upload.data)} bytes>"
    return record


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a JPEG or PNG, so PhotoSize entries look plausible."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 < len(data):
            if data[pos] != 0xFF:
                pos += 1
                continue
            marker = data[pos + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                pos += 2
                continue
            length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return int(width), int(height)
            pos += 2 + length
    return None


class BotApi:
    """Implements the Bot API methods on top of a World."""

    def __init__(self, world: World, faults: FaultInjector, limits: RateLimits) -> None:
        self.world = world
        self.faults = faults
        self.limits = limits
        self.photo_sizes: dict[str, list[JSONDict]] = {}
        self._known_uploads: dict[str, str] = {}
        self._media_groups = 0
        self._callback_ids = 0
        #: Calls being answered right now, and the most ever at once, by method (lower case).
        self.in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()
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
            params, files = await _read_params(request)
        except ApiError as err:
            return self._answer(call, err)
        call.params = _loggable(params, files)
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
        if record is None:
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

    # -- shared helpers ------------------------------------------------------------------

    @property
    def _bot_from(self) -> JSONDict:
        user = self.world.bot_user
        return {k: user[k] for k in ("id", "is_bot", "first_name", "username")}

    def _chat(self, params: JSONDict, *, writing: bool = True) -> ChatState:
        """The chat named by chat_id, refusing like Telegram when the bot may not write there."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        state: ChatState | None = None
        if isinstance(chat_id, int):
            state = self.world.chats.get(chat_id)
        elif isinstance(chat_id, str) and chat_id.startswith("@"):
            for candidate in self.world.chats.values():
                if not candidate.is_private and candidate.chat.get("username") == chat_id[1:]:
                    state = candidate
        if state is None:
            raise bad_request("chat not found")
        if writing:
            if state.is_private:
                assert state.user_id is not None
                if state.user_id in self.world.blocked:
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                if state.user_id not in self.world.started:
                    raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            else:
                kind = state.chat["type"]
                if state.migrated_to is not None:
                    raise ApiError(
                        400,
                        "Bad Request: group chat was upgraded to a supergroup chat",
                        {"migrate_to_chat_id": state.migrated_to},
                    )
                if state.bot_status == "kicked":
                    raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
                if state.bot_status == "left":
                    raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return state

    def _format(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        caption: bool,
    ) -> tuple[str, list[JSONDict]]:
        """Parse and check a text or caption; returns (visible text, entities)."""
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        found: list[JSONDict] = []
        mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
        if mode == "html":
            try:
                plain, found = parse_html(text, strict_ampersand=self.world.strict_ampersand)
            except MarkupError as err:
                raise bad_request(f"can't parse entities: {err}") from err
        elif mode in ("", "markdown", "markdownv2"):
            plain = text
            if isinstance(entities, list):
                found = [dict(e) for e in entities if isinstance(e, dict)]
        else:
            raise bad_request("unsupported parse_mode")
        stripped = plain.lstrip()
        shift = utf16_len(plain) - utf16_len(stripped)
        stripped = stripped.rstrip()
        if shift:
            for entity in found:
                entity["offset"] = max(0, entity["offset"] - shift)
        if caption:
            if len(stripped) > CAPTION_LIMIT:
                raise bad_request("message caption is too long")
        else:
            if not stripped:
                raise bad_request("message text is empty")
            if len(stripped) > TEXT_LIMIT:
                raise bad_request("message is too long")
        return stripped, found

    def _markup(self, markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        """Validate reply_markup; returns it (None when absent or an empty inline keyboard)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Array"
                )
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
            if not any(rows):
                return None
            return markup
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request("can't parse reply keyboard markup JSON object")
            for row in rows:
                for button in row:
                    label = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(label, str) or not label.strip():
                        raise bad_request("keyboard button text must be non-empty")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        text = button.get("text")
        if not isinstance(text, str):
            raise bad_request(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        if not text.strip():
            raise bad_request("inline keyboard button text must be non-empty")
        actions = [key for key in _INLINE_ACTIONS if key in button]
        if not actions:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid")

    def _reply_target(self, state: ChatState, params: JSONDict) -> JSONDict | None:
        """The message being replied to (reply_parameters or the older reply_to_message_id)."""
        reply = params.get("reply_parameters")
        allow = bool(params.get("allow_sending_without_reply"))
        message_id: Any = params.get("reply_to_message_id")
        target_state = state
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply", allow))
            other = reply.get("chat_id")
            if other is not None and other != state.chat_id:
                found = (
                    self.world.chats.get(int(other)) if str(other).lstrip("-").isdigit() else None
                )
                if found is None:
                    raise bad_request("chat not found")
                target_state = found
        if message_id is None:
            return None
        message = target_state.messages.get(int(message_id))
        if message is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return message

    def _new_message(self, state: ChatState, params: JSONDict, markup: JSONDict | None) -> JSONDict:
        """The common part of a bot message: id, sender, chat, date, reply and keyboard."""
        reply = self._reply_target(state, params)
        message: JSONDict = {
            "message_id": state.take_message_id(),
            "from": self._bot_from,
            "chat": dict(state.chat),
            "date": int(time.time()),
        }
        if isinstance(params.get("message_thread_id"), int):
            message["message_thread_id"] = params["message_thread_id"]
        if reply is not None:
            message["reply_to_message"] = {
                k: v for k, v in reply.items() if k != "reply_to_message"
            }
        if markup is not None and "inline_keyboard" in markup:
            # Telegram echoes only inline keyboards in the returned Message.
            message["reply_markup"] = markup
        return message

    def _store(
        self,
        state: ChatState,
        message: JSONDict,
        params: JSONDict,
        kind: str,
        text: str | None,
        markup: JSONDict | None,
        **fields: Any,
    ) -> BotMessage:
        """Keep a sent message (raw + BotMessage view) and wake whoever waits for it."""
        state.messages[message["message_id"]] = message
        reply = message.get("reply_to_message")
        seq = self.world.next_seq()
        bot_message = BotMessage(
            message_id=message["message_id"],
            chat_id=state.chat_id,
            kind=kind,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            reply_to_message_id=reply["message_id"] if reply else None,
            raw=message,
            seq=seq,
            sent_at=time.monotonic(),
            changed_seq=seq,
            sent_removing_keyboard=bool(markup and markup.get("remove_keyboard")),
            **fields,
        )
        state.bot_messages.append(bot_message)
        self.world.touch(state.chat_id)
        self.world.notify()
        return bot_message

    def _file_param(self, ctx: Ctx, key: str, folder: str) -> tuple[FileRecord | None, str]:
        """Resolve a file parameter: an upload, ``attach://name``, a known file_id or a URL."""
        value = ctx.params.get(key)
        upload = ctx.files.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = ctx.files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
        if upload is not None:
            return None, "upload"
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {key} in the request")
        record = self.world.files.get(value)
        if record is not None:
            have = record.file_path.split("/", 1)[0]
            if have != folder:
                have_type, want_type = have.rstrip("s").title(), folder.rstrip("s").title()
                raise bad_request(f"can't use file of type {have_type} as {want_type}")
            return record, "file_id"
        if re.match(r"^https?://", value):
            return None, "url"
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _upload_of(self, ctx: Ctx, key: str) -> Upload:
        value = ctx.params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            return ctx.files[value[len("attach://") :]]
        return ctx.files[key]

    def make_photo(self, data: bytes) -> list[JSONDict]:
        """Store a photo and return its PhotoSize list (three sizes, smallest first).

        The same bytes give the same file (same file_ids and file_unique_ids), as when a person
        sends the same picture again, so duplicate detection by file_unique_id can be tested.
        """
        digest = hashlib.sha256(data).hexdigest()
        if data and digest in self._known_uploads:
            return copy.deepcopy(self.photo_sizes[self._known_uploads[digest]])
        width, height = _image_size(data) or (1280, 960)
        family = f"AQAD{digest[:10]}"
        sizes: list[JSONDict] = []
        for letter, side in (("s", 90), ("m", 320), ("x", 1280)):
            scale = min(1.0, side / max(width, height, 1))
            record = self.world.new_file(
                data,
                folder="photos",
                extension="jpg",
                prefix="AgACAgUAAxkBAAI",
                unique_id=f"{family}{letter}",
                mime_type="image/jpeg",
            )
            sizes.append(
                {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "file_size": record.file_size,
                    "width": max(1, round(width * scale)),
                    "height": max(1, round(height * scale)),
                }
            )
        for size in sizes:
            self.photo_sizes[size["file_id"]] = sizes
        if data:
            self._known_uploads[digest] = sizes[-1]["file_id"]
        return copy.deepcopy(sizes)

    def make_document(self, data: bytes, file_name: str | None, mime_type: str | None) -> JSONDict:
        """Store a document and return its Document JSON (same bytes and name: same file)."""
        digest = hashlib.sha256(data + b"\0" + (file_name or "").encode()).hexdigest()
        if data and digest in self._known_uploads:
            return self.document_json(self.world.files[self._known_uploads[digest]])
        extension = (file_name or "file.bin").rsplit(".", 1)[-1] or "bin"
        record = self.world.new_file(
            data,
            folder="documents",
            extension=extension,
            prefix="BQACAgUAAxkBAAI",
            mime_type=mime_type or "application/octet-stream",
            file_name=file_name,
            unique_id=f"AgAD{digest[:10]}",
        )
        if data:
            self._known_uploads[digest] = record.file_id
        return self.document_json(record)

    @staticmethod
    def document_json(record: FileRecord) -> JSONDict:
        """Document JSON of a stored file."""
        document: JSONDict = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
        }
        if record.file_name:
            document["file_name"] = record.file_name
        if record.mime_type:
            document["mime_type"] = record.mime_type
        return document

    def _photo_from(self, ctx: Ctx, key: str) -> list[JSONDict]:
        record, how = self._file_param(ctx, key, "photos")
        if how == "upload":
            return self.make_photo(self._upload_of(ctx, key).data)
        if how == "url":
            return self.make_photo(b"")
        assert record is not None
        return copy.deepcopy(self.photo_sizes[record.file_id])

    def _document_from(self, ctx: Ctx, key: str) -> JSONDict:
        record, how = self._file_param(ctx, key, "documents")
        if how == "upload":
            upload = self._upload_of(ctx, key)
            return self.make_document(upload.data, upload.filename, upload.content_type)
        if how == "url":
            url = str(ctx.params[key])
            return self.make_document(b"", url.rsplit("/", 1)[-1] or None, None)
        assert record is not None
        return self.document_json(record)

    def _caption(self, message: JSONDict, params: JSONDict) -> str | None:
        caption = params.get("caption")
        if caption is None:
            return None
        plain, entities = self._format(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        if plain:
            message["caption"] = plain
            if entities:
                message["caption_entities"] = entities
        return str(caption)

    def _editable(self, params: JSONDict) -> tuple[ChatState, JSONDict, BotMessage]:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the sandbox")
        state = self._chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = state.messages.get(int(message_id))
        if message is None:
            raise bad_request("message to edit not found")
        bot_message = state.bot_message(int(message_id))
        if bot_message is None:
            raise bad_request("message can't be edited")
        return state, message, bot_message

    def _apply_edit(
        self, state: ChatState, bot_message: BotMessage, new_raw: JSONDict, **changes: Any
    ) -> JSONDict:
        """Replace a message's content, keeping the old version in ``edits``."""
        from .world import MessageVersion

        bot_message.edits.append(
            MessageVersion(
                text=bot_message.text,
                parse_mode=bot_message.parse_mode,
                reply_markup=bot_message.reply_markup,
                raw=bot_message.raw,
                replaced_at=time.monotonic(),
            )
        )
        new_raw["edit_date"] = int(time.time())
        state.messages[bot_message.message_id] = new_raw
        bot_message.raw = new_raw
        for key, value in changes.items():
            setattr(bot_message, key, value)
        bot_message.changed_seq = self.world.next_seq()
        self.world.touch(state.chat_id)
        self.world.notify()
        return new_raw

    # -- methods: bot & updates ----------------------------------------------------------

    async def m_getMe(self, ctx: Ctx) -> JSONDict:
        return dict(self.world.bot_user)

    async def m_logOut(self, ctx: Ctx) -> bool:
        return True

    async def m_close(self, ctx: Ctx) -> bool:
        return True

    async def m_setWebhook(self, ctx: Ctx) -> bool:
        """Store the webhook; while set, getUpdates answers 409 like Telegram."""
        url = ctx.params.get("url")
        if not isinstance(url, str):
            raise bad_request("bad webhook: URL must be provided")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.world.webhook = {"url": url, **{k: v for k, v in ctx.params.items() if k != "url"}}
        if ctx.params.get("drop_pending_updates"):
            self.world.pending.clear()
        self.world.notify()
        return True

    async def m_deleteWebhook(self, ctx: Ctx) -> bool:
        self.world.webhook = {"url": ""}
        if ctx.params.get("drop_pending_updates"):
            self.world.pending.clear()
        self.world.notify()
        return True

    async def m_getWebhookInfo(self, ctx: Ctx) -> JSONDict:
        info: JSONDict = {
            "url": self.world.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.pending),
        }
        if self.world.allowed_updates != DEFAULT_ALLOWED_UPDATES:
            info["allowed_updates"] = sorted(self.world.allowed_updates)
        return info

    async def m_getUpdates(self, ctx: Ctx) -> list[JSONDict]:
        """Long poll: confirm below ``offset``, wait up to ``timeout`` s, 409 if superseded."""
        world = self.world
        if world.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = ctx.params.get("offset")
        if isinstance(offset, int) and offset != 0:
            world.confirm(offset)
        limit = ctx.params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = ctx.params.get("timeout")
        timeout = max(0.0, float(timeout)) if isinstance(timeout, int | float) else 0.0
        allowed = ctx.params.get("allowed_updates")
        if isinstance(allowed, list):
            world.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        world.poll_generation += 1
        generation = world.poll_generation
        world.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if world.poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if ctx.client_gone():
                return []  # nobody will read it; do not count the updates as delivered
            updates = world.deliverable(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or world.closing:
                break
            await world.wait_change(min(remaining, 0.25))
        world.mark_delivered(updates)
        return copy.deepcopy(updates)

    # -- methods: sending ----------------------------------------------------------------

    async def m_sendMessage(self, ctx: Ctx) -> JSONDict:
        """Text message; HTML, length and keyboard checked like Telegram."""
        params = ctx.params
        state = self._chat(params)
        plain, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = self._markup(params.get("reply_markup"))
        message = self._new_message(state, params, markup)
        message["text"] = plain
        if entities:
            message["entities"] = entities
        self._store(state, message, params, "text", str(params.get("text")), markup)
        return message

    async def m_sendPhoto(self, ctx: Ctx) -> JSONDict:
        """Photo by upload, file_id or URL; the answer carries three PhotoSize entries."""
        params = ctx.params
        state = self._chat(params)
        markup = self._markup(params.get("reply_markup"))
        sizes = self._photo_from(ctx, "photo")
        message = self._new_message(state, params, markup)
        message["photo"] = sizes
        text = self._caption(message, params)
        if params.get("has_spoiler"):
            message["has_media_spoiler"] = True
        self._store(state, message, params, "photo", text, markup, photo=sizes[-1]["file_id"])
        return message

    async def m_sendDocument(self, ctx: Ctx) -> JSONDict:
        """Document by upload, file_id or URL."""
        params = ctx.params
        state = self._chat(params)
        markup = self._markup(params.get("reply_markup"))
        document = self._document_from(ctx, "document")
        message = self._new_message(state, params, markup)
        message["document"] = document
        text = self._caption(message, params)
        self._store(state, message, params, "document", text, markup, document=document["file_id"])
        return message

    @staticmethod
    def _location(params: JSONDict) -> JSONDict:
        lat, lon = params.get("latitude"), params.get("longitude")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            raise bad_request("latitude and longitude must be numbers")
        if not -90 <= lat <= 90 or not -180 <= lon <= 180:
            raise bad_request("wrong latitude or longitude")
        return {"latitude": float(lat), "longitude": float(lon)}

    async def m_sendLocation(self, ctx: Ctx) -> JSONDict:
        params = ctx.params
        state = self._chat(params)
        location = self._location(params)
        markup = self._markup(params.get("reply_markup"))
        message = self._new_message(state, params, markup)
        message["location"] = location
        self._store(
            state,
            message,
            params,
            "location",
            None,
            markup,
            lat=location["latitude"],
            lon=location["longitude"],
        )
        return message

    async def m_sendVenue(self, ctx: Ctx) -> JSONDict:
        params = ctx.params
        state = self._chat(params)
        location = self._location(params)
        title, address = params.get("title"), params.get("address")
        if not title or not address:
            raise bad_request("venue title and address must be non-empty")
        markup = self._markup(params.get("reply_markup"))
        message = self._new_message(state, params, markup)
        venue: JSONDict = {"location": location, "title": str(title), "address": str(address)}
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if params.get(key):
                venue[key] = params[key]
        message["venue"] = venue
        message["location"] = location
        self._store(
            state,
            message,
            params,
            "venue",
            str(title),
            markup,
            lat=location["latitude"],
            lon=location["longitude"],
        )
        return message

    async def m_sendMediaGroup(self, ctx: Ctx) -> list[JSONDict]:
        """An album: one message per item, sharing a media_group_id."""
        params = ctx.params
        state = self._chat(params)
        media = params.get("media")
        if not isinstance(media, list):
            raise bad_request("media must be an array of InputMedia")
        if not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the group: 2-10 items are allowed")
        types = {item.get("type") for item in media if isinstance(item, dict)}
        if not types <= {"photo", "video"} and len(types) > 1:
            raise bad_request("documents and audio can't be mixed with other media types")
        self._media_groups += 1
        group_id = f"13{self._media_groups:015d}"
        reply = self._reply_target(state, params)
        results: list[JSONDict] = []
        prepared: list[tuple[JSONDict, str, str | None, JSONDict]] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "document"):
                raise bad_request("the sandbox supports photo and document media")
            item_params = {"caption": item.get("caption"), "parse_mode": item.get("parse_mode")}
            item_params["caption_entities"] = item.get("caption_entities")
            sub = Ctx({"media": item.get("media")}, ctx.files, ctx.request)
            body: JSONDict = {}
            if item["type"] == "photo":
                body["photo"] = self._photo_from(sub, "media")
            else:
                body["document"] = self._document_from(sub, "media")
            text = self._caption(body, item_params)
            prepared.append((body, item["type"], text, item_params))
        for body, media_type, text, item_params in prepared:
            message = self._new_message(state, {}, None)
            if reply is not None:
                message["reply_to_message"] = {
                    k: v for k, v in reply.items() if k != "reply_to_message"
                }
            message["media_group_id"] = group_id
            message.update(body)
            extra: JSONDict = {"media_group_id": group_id}
            if media_type == "photo":
                extra["photo"] = body["photo"][-1]["file_id"]
            else:
                extra["document"] = body["document"]["file_id"]
            self._store(state, message, item_params, "media_group", text, None, **extra)
            results.append(message)
        return results

    async def m_sendChatAction(self, ctx: Ctx) -> bool:
        """Typing indicator; counts as activity for settling."""
        state = self._chat(ctx.params)
        if ctx.params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.world.touch(state.chat_id)
        return True

    # -- methods: editing ----------------------------------------------------------------

    async def m_editMessageText(self, ctx: Ctx) -> JSONDict:
        """Edit text; omitting reply_markup drops the inline keyboard, as Telegram does."""
        params = ctx.params
        state, message, bot_message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        plain, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        if (
            plain == message.get("text")
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        new_raw = {
            k: v for k, v in message.items() if k not in ("text", "entities", "reply_markup")
        }
        new_raw["text"] = plain
        if entities:
            new_raw["entities"] = entities
        if markup is not None:
            new_raw["reply_markup"] = markup
        return self._apply_edit(
            state,
            bot_message,
            new_raw,
            text=str(params.get("text")),
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )

    async def m_editMessageCaption(self, ctx: Ctx) -> JSONDict:
        """Edit a caption; omitting reply_markup drops the inline keyboard."""
        params = ctx.params
        state, message, bot_message = self._editable(params)
        if not any(k in message for k in ("photo", "document", "video", "audio", "animation")):
            raise bad_request("there is no caption in the message to edit")
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        new_raw = {
            k: v
            for k, v in message.items()
            if k not in ("caption", "caption_entities", "reply_markup")
        }
        text = self._caption(new_raw, params)
        if (
            new_raw.get("caption") == message.get("caption")
            and new_raw.get("caption_entities") == message.get("caption_entities")
            and markup == message.get("reply_markup")
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        if markup is not None:
            new_raw["reply_markup"] = markup
        return self._apply_edit(
            state,
            bot_message,
            new_raw,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup if markup is not None else None,
        )

    async def m_editMessageReplyMarkup(self, ctx: Ctx) -> JSONDict:
        """Replace (or with no markup, remove) an inline keyboard."""
        params = ctx.params
        state, message, bot_message = self._editable(params)
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        new_raw = {k: v for k, v in message.items() if k != "reply_markup"}
        if markup is not None:
            new_raw["reply_markup"] = markup
        return self._apply_edit(state, bot_message, new_raw, reply_markup=markup)

    async def m_deleteMessage(self, ctx: Ctx) -> bool:
        """Delete; others' messages in groups need the bot to be an administrator."""
        state = self._chat(ctx.params)
        message_id = ctx.params.get("message_id")
        if not isinstance(message_id, int) or message_id not in state.messages:
            raise bad_request("message to delete not found")
        bot_message = state.bot_message(message_id)
        if bot_message is None and not state.is_private and state.bot_status != "administrator":
            raise bad_request("message can't be deleted")  # others' messages need admin rights
        del state.messages[message_id]
        if bot_message is not None:
            bot_message.deleted = True
            bot_message.changed_seq = self.world.next_seq()
        self.world.touch(state.chat_id)
        self.world.notify()
        return True

    async def m_answerCallbackQuery(self, ctx: Ctx) -> bool:
        """Answer a button press once; a second answer is refused like Telegram."""
        params = ctx.params
        record = self.world.callbacks.get(str(params.get("callback_query_id")))
        if record is None or record.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if isinstance(text, str) and len(text) > ANSWER_TEXT_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answered = True
        record.answer = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": params.get("cache_time"),
        }
        self.world.touch(record.chat_id)
        self.world.notify()
        return True

    # -- methods: files, commands, chats -------------------------------------------------

    async def m_getFile(self, ctx: Ctx) -> JSONDict:
        """File path for the download route (files over 20 MB are refused)."""
        record = self.world.files.get(str(ctx.params.get("file_id")))
        if record is None:
            raise bad_request("invalid file_id")
        if record.file_size > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_path": record.file_path,
        }

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope")
        needs_chat = scope["type"] in ("chat", "chat_administrators", "chat_member")
        if needs_chat and "chat_id" not in scope:
            raise bad_request("chat_id is empty")
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), str(language)

    async def m_setMyCommands(self, ctx: Ctx) -> bool:
        """Store commands per (scope, language_code), validating names."""
        commands = ctx.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(ctx.params)
        self.world.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def m_getMyCommands(self, ctx: Ctx) -> list[JSONDict]:
        return list(self.world.commands.get(self._commands_key(ctx.params), []))

    async def m_deleteMyCommands(self, ctx: Ctx) -> bool:
        self.world.commands.pop(self._commands_key(ctx.params), None)
        return True

    async def m_setMyDescription(self, ctx: Ctx) -> bool:
        self.world.descriptions[("description", str(ctx.params.get("language_code") or ""))] = str(
            ctx.params.get("description") or ""
        )
        return True

    async def m_getMyDescription(self, ctx: Ctx) -> JSONDict:
        key = ("description", str(ctx.params.get("language_code") or ""))
        return {"description": self.world.descriptions.get(key, "")}

    async def m_setMyShortDescription(self, ctx: Ctx) -> bool:
        key = ("short_description", str(ctx.params.get("language_code") or ""))
        self.world.descriptions[key] = str(ctx.params.get("short_description") or "")
        return True

    async def m_getMyShortDescription(self, ctx: Ctx) -> JSONDict:
        key = ("short_description", str(ctx.params.get("language_code") or ""))
        return {"short_description": self.world.descriptions.get(key, "")}

    async def m_getChat(self, ctx: Ctx) -> JSONDict:
        state = self._chat(ctx.params, writing=False)
        info = dict(state.chat)
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _user(self, user_id: Any) -> JSONDict:
        if user_id == self.world.bot_user["id"]:
            return self._bot_from
        user = self.world.users.get(user_id) if isinstance(user_id, int) else None
        if user is None:
            raise bad_request("user not found")
        return user

    async def m_getChatMember(self, ctx: Ctx) -> JSONDict:
        """Status from the group's member table (``GroupChat.add_member``)."""
        state = self._chat(ctx.params, writing=False)
        user_id = ctx.params.get("user_id")
        user = self._user(user_id)
        if state.is_private:
            status = "member" if user_id in (state.user_id, self.world.bot_user["id"]) else "left"
        elif user_id == self.world.bot_user["id"]:
            status = state.bot_status
        else:
            status = state.members.get(int(user_id or 0), "left")
        return member_json(user, status)

    async def m_getChatAdministrators(self, ctx: Ctx) -> list[JSONDict]:
        state = self._chat(ctx.params, writing=False)
        if state.is_private:
            raise bad_request("there are no administrators in the private chat")
        admins = [
            member_json(self.world.users[user_id], status)
            for user_id, status in state.members.items()
            if status in ("creator", "administrator")
        ]
        if state.bot_status == "administrator":
            admins.append(member_json(self._bot_from, "administrator"))
        return admins

    async def m_setChatMenuButton(self, ctx: Ctx) -> bool:
        chat_id = ctx.params.get("chat_id")
        if chat_id is not None:
            self._chat(ctx.params, writing=False)
        button = ctx.params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTON_TYPES:
            raise bad_request("can't parse menu button")
        self.world.menu_buttons[chat_id if isinstance(chat_id, int) else None] = button
        return True

    async def m_getChatMenuButton(self, ctx: Ctx) -> JSONDict:
        chat_id = ctx.params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return (
            self.world.menu_buttons.get(key)
            or self.world.menu_buttons.get(None)
            or {"type": "commands"}
        )

    async def m_leaveChat(self, ctx: Ctx) -> bool:
        """The bot leaves a group and receives the my_chat_member update."""
        state = self._chat(ctx.params, writing=False)
        if state.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        if state.bot_status in ("left", "kicked"):
            raise ApiError(403, f"Forbidden: bot is not a member of the {state.chat['type']} chat")
        old = state.bot_status
        state.bot_status = "left"
        self.world.enqueue(
            "my_chat_member",
            {
                "chat": dict(state.chat),
                "from": self._bot_from,
                "date": int(time.time()),
                "old_chat_member": member_json(self._bot_from, old),
                "new_chat_member": member_json(self._bot_from, "left"),
            },
            state.chat_id,
        )
        return True


class Sandbox:
    """A running fake Telegram: the HTTP server plus the helpers tests use to act as people."""

    def __init__(self, world: World, api: BotApi, runner: web.AppRunner, port: int) -> None:
        self.world = world
        self.api = api
        self.faults = api.faults
        self.limits = api.limits
        self._runner = runner
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.base_file_url = f"http://127.0.0.1:{port}/file/bot"
        #: How long a chat must stay quiet after the bot got an update before ``tap`` picks the
        #: last keyboard (so the tap sees the bot's answer to the previous step).
        self.settle_time = 0.15
        #: How long ``tap`` waits for a first reaction before deciding the bot answers nothing.
        self.idle_time = 0.6

    @property
    def token(self) -> str:
        """The bot token the sandbox accepts."""
        return self.world.token

    @property
    def bot_user(self) -> JSONDict:
        """The bot's User JSON (getMe)."""
        return self.world.bot_user

    @property
    def calls(self) -> list[Call]:
        """Every request the bot made, oldest first."""
        return self.world.calls

    def calls_to(self, method: str) -> list[Call]:
        """Calls of one method (case-insensitive)."""
        return [c for c in self.world.calls if c.method.lower() == method.lower()]

    @property
    def count_429(self) -> int:
        """How many 429 answers were served (rate limits and injected faults)."""
        return sum(1 for c in self.world.calls if c.status == 429)

    def citizen(
        self,
        first_name: str = "Warga",
        language_code: str | None = "id",
        *,
        last_name: str | None = None,
        username: str | None = None,
        started: bool = False,
    ) -> Person:
        """A new person with their own private chat with the bot.

        Until the person writes or presses something, the bot cannot message them (403 "bot
        can't initiate conversation with a user"), as on Telegram; ``started=True`` skips that,
        for a citizen the test puts straight into the database.
        """
        user = self.world.new_user(
            first_name, last_name=last_name, username=username, language_code=language_code
        )
        if started:
            self.world.started.add(int(user["id"]))
        return Person(self, user)

    def group(self, title: str = "Kelurahan", type: str = "supergroup") -> GroupChat:
        """A new group chat; the bot is already a member (see ``add_bot_to_group``)."""
        return GroupChat(self, self.world.new_group(title, type))

    def add_bot_to_group(
        self, group: GroupChat, status: str = "member", by: Person | None = None
    ) -> JSONDict:
        """Send the bot a my_chat_member update saying it was added (or promoted) to ``group``."""
        state = group.state
        old = state.bot_status
        state.bot_status = status
        adder = by.user if by is not None else group.admin_user()
        bot = self.api._bot_from
        return self.world.enqueue(
            "my_chat_member",
            {
                "chat": dict(state.chat),
                "from": adder,
                "date": int(time.time()),
                "old_chat_member": member_json(bot, old if old != status else "left"),
                "new_chat_member": member_json(bot, status),
            },
            state.chat_id,
        )

    def deliver_raw(self, kind: str, payload: JSONDict) -> JSONDict | None:
        """Queue one update of any type from its Bot API JSON (``kind`` is its key, e.g.
        ``"channel_post"``, ``"inline_query"``, ``"chat_member"``); returns the update.

        For fuzzing and for update types the people helpers do not model. Shapes are not
        checked: send what Telegram sends. The sandbox keeps what Telegram would know, so the
        bot's answers meet the same world: a chat it has not seen is created from the payload
        (the bot is a member, as Telegram only sends updates of such chats); a message is stored
        in its chat, so the bot can reply to it or edit it; a person writing in a private chat
        has started the bot (and unblocked it); a callback query can be answered once; a
        ``my_chat_member`` or ``chat_member`` update changes the bot's or the member's standing
        in the chat. A group message that privacy mode hides from the bot is stored but not
        queued, and None is returned.
        """
        payload = copy.deepcopy(payload)
        message = payload.get("message") if kind == "callback_query" else payload
        chat = message.get("chat") if isinstance(message, dict) else None
        state: ChatState | None = None
        if isinstance(chat, dict):
            chat_id = int(chat["id"])
            state = self.world.chats.get(chat_id)
            if state is None:
                private = chat.get("type") == "private"
                state = ChatState(chat=dict(chat), user_id=chat_id if private else None)
                self.world.chats[chat_id] = state
        sender = payload.get("from")
        acts = kind in _RAW_MESSAGE_KINDS or kind == "callback_query"
        if state is not None and state.is_private and acts and isinstance(sender, dict):
            self.world.started.add(int(sender["id"]))
            self.world.blocked.discard(int(sender["id"]))
        if state is not None and kind in _RAW_MESSAGE_KINDS and "message_id" in payload:
            message_id = int(payload["message_id"])
            state.messages[message_id] = copy.deepcopy(payload)
            state.next_message_id = max(state.next_message_id, message_id + 1)
            in_group = state.chat["type"] in ("group", "supergroup")
            if kind == "message" and in_group and not GroupChat(self, state)._visible(payload):
                return None
        if kind == "callback_query" and str(payload.get("id")) not in self.world.callbacks:
            held = message if isinstance(message, dict) else {}
            self.world.callbacks[str(payload["id"])] = CallbackRecord(
                str(payload["id"]),
                state.chat_id if state is not None else 0,
                int(held.get("message_id", 0)),
                int(sender["id"]) if isinstance(sender, dict) else 0,
                payload.get("data"),
            )
        if kind in ("my_chat_member", "chat_member") and state is not None:
            self._apply_membership(kind, state, payload)
        return self.world.enqueue(kind, payload, state.chat_id if state is not None else None)

    def _apply_membership(self, kind: str, state: ChatState, payload: JSONDict) -> None:
        """What a member update means for later calls: blocked, removed, promoted..."""
        new = payload.get("new_chat_member") or {}
        status = str(new.get("status", "member"))
        user_id = int((new.get("user") or {}).get("id", 0))
        if kind == "my_chat_member" or user_id == self.world.bot_user["id"]:
            if state.is_private:
                if status == "kicked":
                    self.world.blocked.add(int(state.chat_id))
                else:
                    self.world.blocked.discard(int(state.chat_id))
            else:
                state.bot_status = status
        elif not state.is_private:
            state.members[user_id] = status

    async def close(self) -> None:
        """Stop serving; pending long polls return at once."""
        self.world.closing = True
        self.world.notify()
        await self._runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def start_sandbox(
    token: str = DEFAULT_TOKEN,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int | None = None,
    bot_username: str = "wargalapor_test_bot",
) -> Sandbox:
    """Start the fake Bot API on ``host`` (a random free port by default) in the running loop."""
    world = World(token, bot_username)
    api = BotApi(world, FaultInjector(seed), RateLimits())
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", api.handle)
    app.router.add_get("/file/bot{token}/{file_path:.+}", api.download)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    assert server is not None and server.sockets, "sandbox did not bind"  # type: ignore[attr-defined]
    bound_port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
    return Sandbox(world, api, runner, bound_port)
