"""The one error the HTTP routes raise, and its body in the GeoReport v2 shape.

Apart from :mod:`bot.http.common` so that the body reader (:mod:`bot.http.body`) can raise it
without importing the form and JSON parsing built on top of that reader.

The body is JSON (``[{"code", "description"}]``) everywhere but for an Open311 path asked for
in XML (``/open311/….xml``), which gets ``<errors><error><code/><description/></error></errors>``
(:func:`wants_xml`): the format follows the path, so every refusal, whoever raises it (the body
reader, the key check, Starlette's own 404 and 405, the last-resort 500), answers in the format
the client asked for.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

from bot.http.open311_format import errors

OPEN311_PREFIX = "/open311/"


class ApiError(Exception):
    """A request the API refuses; ``description`` is the sentence the client reads.
    ``close_connection``: the answer ends the connection (its body was left unread).
    ``headers``: sent with the answer (``Retry-After`` on a 429)."""

    close_connection = False

    def __init__(
        self, status: int, description: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = dict(headers or {})


def wants_xml(path: str) -> bool:
    """Whether a refusal of ``path`` is written in XML: an Open311 resource ending ``.xml``."""
    return path.startswith(OPEN311_PREFIX) and path.endswith(".xml")


def error_response(
    status: int,
    description: str,
    *,
    close: bool = False,
    xml: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Response:
    sent = {**(headers or {}), **({"connection": "close"} if close else {})}
    return errors("xml" if xml else "json", status, description, headers=sent or None)
