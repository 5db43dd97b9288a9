"""Errors in the GeoReport v2 format, and request bodies (form or JSON), for every API route.

Every failure answers ``[{"code": <status>, "description": "…"}]`` with that HTTP status, even
for routes Starlette itself rejects (404, 405), so an agency's client parses one shape only.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MAX_BODY_BYTES = 64 * 1024  # a 1,000-character description fits many times over


class ApiError(Exception):
    """A request the API refuses; ``description`` is the sentence the client reads."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def error_response(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


async def api_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.description)


async def http_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    descriptions = {404: "no such resource", 405: "method not allowed"}
    return error_response(error.status_code, descriptions.get(error.status_code, error.detail))


async def read_body(request: Request) -> dict[str, str]:
    """A POST body as text fields: ``application/x-www-form-urlencoded`` (what Open311 clients
    send) or a JSON object. Values that are numbers in JSON become text, as in a form."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body over {MAX_BODY_BYTES // 1024} KB")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            document: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "malformed JSON body") from None
        if not isinstance(document, dict):
            raise ApiError(400, "the JSON body must be an object of fields")
        fields = {}
        for name, value in document.items():
            if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
                raise ApiError(400, f"field {name!r} must be text or a number")
            if value is not None:
                fields[str(name)] = str(value)
        return fields
    if content_type in ("application/x-www-form-urlencoded", ""):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "the form body is not UTF-8") from None
        return dict(parse_qsl(text, keep_blank_values=True))
    raise ApiError(
        415, "send application/x-www-form-urlencoded or application/json (no multipart uploads)"
    )
