"""The Bot API's wire format: decoding a request's parameters and Telegram's error answers.

The bot may send JSON, form-urlencoded or multipart bodies (PTB switches to multipart for
uploads), so form values are turned back into the types a JSON body would carry before any method
sees them. ``ApiError`` copies Telegram's error shape so that the bot's error handling meets what
production sends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .records import JSONDict

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


async def read_params(request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
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


def loggable(params: JSONDict, files: dict[str, Upload]) -> JSONDict:
    """Parameters for the call record, with uploads summarised instead of their bytes."""
    record = dict(params)
    for key, upload in files.items():
        record[key] = f"<upload {upload.filename!r} {len(upload.data)} bytes>"
    return record
