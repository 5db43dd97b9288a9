"""Errors in the GeoReport v2 format, and request bodies (form or JSON), for every API route.

Every failure answers ``[{"code": <status>, "description": "…"}]`` with that HTTP status (or
its XML form for an Open311 ``.xml`` path, :func:`bot.http.errors.wants_xml`), even for routes
Starlette itself rejects (404, 405), so an agency's client parses one shape only.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.http.body import read_limited
from bot.http.errors import ApiError, error_response, wants_xml

__all__ = ["ApiError", "api_error", "error_response", "http_error", "read_body", "read_pairs"]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # a 4,000-character description fits many times over
MAX_FIELDS = 200  # a form's fields (attribute[…] entries included); more is refused


async def api_error(request: Request, error: Exception) -> Response:
    """A refused request: one INFO line (the client's mistake, not ours; no traceback), with
    the path but never the query string, where a careless client may have put its key."""
    assert isinstance(error, ApiError)
    log.info(
        "http request refused",
        extra={
            "method": request.method,
            "path": request.url.path,
            "status": error.status,
            "reason": error.description,
        },
    )
    return error_response(
        error.status,
        error.description,
        close=error.close_connection,
        xml=wants_xml(request.url.path),
        headers=error.headers,
    )


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    descriptions = {404: "no such resource", 405: "method not allowed"}
    return error_response(
        error.status_code,
        descriptions.get(error.status_code, error.detail),
        xml=wants_xml(request.url.path),
    )


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, str]:
    """A POST body as text fields: ``application/x-www-form-urlencoded`` (what Open311 clients
    send) or a JSON object. Values that are numbers in JSON become text, as in a form; a field
    sent twice keeps its last value."""
    return dict(await read_pairs(request, limit))


async def read_pairs(
    request: Request, limit: int = MAX_BODY_BYTES, *, lists: bool = False
) -> list[tuple[str, str]]:
    """A POST body as (name, value) pairs in order, repeated names kept (a form's
    ``attribute[CODE][]=a&attribute[CODE][]=b``); ``lists``: a JSON field may also be a list of
    texts or numbers, one pair each. At most :data:`MAX_FIELDS` pairs.

    Every field is valid Unicode text: JSON may spell a lone surrogate (``"\\ud800"``), which
    no UTF-8 encoder (the key hash, SQLite) accepts, so it is refused here, once for all routes.
    """
    body = await read_limited(request, limit)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            document: Any = parse_json(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "malformed JSON body") from None
        if not isinstance(document, dict):
            raise ApiError(400, "the JSON body must be an object of fields")
        pairs = []
        for name, value in document.items():
            values = value if lists and isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, bool) or not isinstance(item, str | int | float | type(None)):
                    more = " (or a list of them, for an attribute[…])" if lists else ""
                    raise ApiError(400, f"field {name!r} must be text or a number{more}")
                if item is not None:
                    field = _text(str(name), "a field name")
                    pairs.append((field, _text(str(item), f"field {name!r}")))
        return _bounded(pairs)
    if content_type in ("application/x-www-form-urlencoded", ""):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "the form body is not UTF-8") from None
        try:
            return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except ValueError:
            raise ApiError(400, f"the form has over {MAX_FIELDS} fields") from None
    raise ApiError(
        415, "send application/x-www-form-urlencoded or application/json (no multipart uploads)"
    )


def _bounded(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if len(pairs) > MAX_FIELDS:
        raise ApiError(400, f"the body has over {MAX_FIELDS} fields")
    return pairs


def parse_json(body: bytes) -> Any:
    """``json.loads``, with nesting too deep for Python's parser (``[[[[…]]]]``) as a
    ValueError like any other malformed document, not a RecursionError."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _text(value: str, what: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, f"{what} is not valid Unicode text (a lone surrogate)") from None
    return value
