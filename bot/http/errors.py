"""The one error the HTTP routes raise, and its body in the GeoReport v2 shape.

Apart from :mod:`bot.http.common` so that the body reader (:mod:`bot.http.body`) can raise it
without importing the form and JSON parsing built on top of that reader.
"""

from __future__ import annotations

from starlette.responses import JSONResponse


class ApiError(Exception):
    """A request the API refuses; ``description`` is the sentence the client reads.
    ``close_connection``: the answer ends the connection (its body was left unread)."""

    close_connection = False

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def error_response(status: int, description: str, *, close: bool = False) -> JSONResponse:
    headers = {"connection": "close"} if close else None
    return JSONResponse(
        [{"code": status, "description": description}], status_code=status, headers=headers
    )
