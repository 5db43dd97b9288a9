"""Request bodies read in chunks, up to a limit and a deadline, for every POST route.

Why not ``await request.body()``: it holds the whole body in memory before anyone can look at
its size, so one 400 MB POST (no API key needed to send it) costs 400 MB of RAM, and a body
trickled a byte a second holds a connection for ever. Here a declared ``Content-Length`` over
the limit is refused before a byte of the body is read; a chunked body is cut off as soon as it
passes the limit; and the whole body must arrive within the read timeout
(``HTTP_READ_TIMEOUT_SECONDS``, stored on the app's state by :func:`bot.http.server.build_app`).

The refusals carry ``Connection: close``: the rest of the body is never read, so the
connection cannot carry another request.
"""

from __future__ import annotations

import asyncio

from starlette.requests import ClientDisconnect, Request

from bot.http.errors import ApiError

DEFAULT_READ_TIMEOUT_SECONDS = 10.0


class BodyRefused(ApiError):
    """A body too large or too slow: answered, and the connection closed after the answer."""

    close_connection = True


def read_timeout(request: Request) -> float:
    """The app's read timeout (``HTTP_READ_TIMEOUT_SECONDS``); the default for bare apps."""
    state = request.scope.get("app")
    seconds = getattr(getattr(state, "state", None), "read_timeout_seconds", None)
    return float(seconds) if seconds else DEFAULT_READ_TIMEOUT_SECONDS


def _kilobytes(limit: int) -> str:
    return f"{limit // 1024} KB" if limit < 1024 * 1024 else f"{limit // (1024 * 1024)} MB"


async def read_limited(request: Request, limit: int, *, seconds: float | None = None) -> bytes:
    """The body, at most ``limit`` bytes; 413 above it, 408 when it does not arrive within
    ``seconds`` (the app's read timeout unless a route allows longer: a photo upload)."""
    too_large = BodyRefused(413, f"request body over {_kilobytes(limit)}")
    declared = request.headers.get("content-length")
    if declared is not None:
        # uvicorn (h11) has already refused a Content-Length that is not a number.
        if not declared.strip().isascii() or not declared.strip().isdigit():
            raise BodyRefused(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise too_large
    body = bytearray()
    seconds = max(seconds or 0.0, read_timeout(request))
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise too_large
    except TimeoutError:
        raise BodyRefused(408, f"the request body did not arrive within {seconds:g} s") from None
    except ClientDisconnect:
        raise BodyRefused(400, "the client went away before the body was complete") from None
    return bytes(body)
