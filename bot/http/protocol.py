"""uvicorn's HTTP/1.1 protocol (h11) with the guards a public port needs and uvicorn lacks.

Why: uvicorn times out idle keep-alive connections, but not a connection that sends nothing, nor
one that sends its request head a byte a second (slowloris): each holds a socket, and a few
hundred hold them all. Here:

- the request head (request line and headers) must be complete within the read timeout of the
  connection being opened, or of its first byte after the previous answer; otherwise the
  connection is closed, after a bare ``408`` if part of a head had come (a browser's idle
  spare connection gets none: it might take the 408 for the answer to its next request);
- an answer sent while the client is still sending a body nobody will read (a 403, 404 or 413
  before the body) ends the connection instead of feeding the rest, however long, to the parser.

Ending such a connection is a *lingering* close, as nginx does: closing a socket with unread
data makes the kernel reset the connection, and the reset destroys the answer on its way (the
client reads "connection reset", not our 413). So the answer is sent, our side is shut for
writing, and whatever still arrives is dropped unparsed until the client stops or
:data:`LINGER_SECONDS` pass; only then is the socket closed.

The body itself is bounded, in size and time, by the routes' reader (:mod:`bot.http.body`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

LINGER_SECONDS = 2.0
_TIMEOUT_BODY = b'[{"code": 408, "description": "request head not sent in time"}]'
TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    + b"content-length: %d\r\n\r\n" % len(_TIMEOUT_BODY)
    + _TIMEOUT_BODY
)


def guarded_protocol(read_timeout_seconds: float) -> type[H11Protocol]:
    """The protocol class for ``uvicorn.Config(http=…)``, with this head timeout."""

    class GuardedH11Protocol(_Guarded):
        head_timeout_seconds = read_timeout_seconds

    return GuardedH11Protocol


class _SoftClose:
    """The transport as uvicorn's protocol sees it: everything passes through, except that
    ``close()`` lingers while the client is still sending (see the module's docstring)."""

    def __init__(self, transport: asyncio.Transport, protocol: _Guarded) -> None:
        self._transport = transport
        self._protocol = protocol

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def close(self) -> None:
        self._protocol.close_softly()

    def is_closing(self) -> bool:
        return self._protocol.lingering or self._transport.is_closing()


class _Guarded(H11Protocol):
    head_timeout_seconds = 10.0
    lingering = False
    _head_timer: asyncio.TimerHandle | None = None
    _linger_timer: asyncio.TimerHandle | None = None
    _raw: asyncio.Transport | None = None
    _lost = False
    _stopping = False
    _head_begun = False  # bytes of a request head have come since the last answer

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._raw = transport
        super().connection_made(cast(asyncio.Transport, _SoftClose(transport, self)))
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self._disarm_head_timer()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
        super().connection_lost(exc)

    def eof_received(self) -> None:
        if self.lingering and self._raw is not None:
            self._raw.close()  # the client has stopped sending: nothing left to drop

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            return  # the rest of a body nobody reads: dropped, never parsed or kept
        if self.conn.their_state is h11.IDLE:
            self._arm_head_timer()  # the first bytes of a new request: its head is now due
            self._head_begun = True
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:
            self._disarm_head_timer()  # the head has arrived (or the connection failed)

    def on_response_complete(self) -> None:
        if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            # Answered before the body was read: the rest is not wanted.
            self.server_state.total_requests += 1
            self.transport.close()
            return
        super().on_response_complete()

    def shutdown(self) -> None:
        """The server is stopping: no lingering, it would only hold the shutdown up."""
        self._stopping = True
        if self.lingering and self._raw is not None:
            self._raw.close()
        super().shutdown()

    def close_softly(self) -> None:
        raw = self._raw
        assert raw is not None
        if self.lingering or raw.is_closing():
            return
        if self._lost or self._stopping or self.conn.their_state is not h11.SEND_BODY:
            raw.close()  # nothing more is on its way: an ordinary close
            return
        self.lingering = True
        self._disarm_head_timer()
        self._unset_keepalive_if_required()
        if raw.can_write_eof():
            raw.write_eof()  # after the answer: a client that reads as it sends stops here
        raw.resume_reading()
        self._linger_timer = self.loop.call_later(LINGER_SECONDS, raw.close)

    def _arm_head_timer(self) -> None:
        if self._head_timer is None and not self.lingering:
            self._head_timer = self.loop.call_later(self.head_timeout_seconds, self._head_late)

    def _disarm_head_timer(self) -> None:
        self._head_begun = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        # DEBUG: idle spare connections of browsers end here all day long, and so would a flood.
        log.debug("http connection closed: request head not complete in time")
        if self._head_begun:
            self.transport.write(TIMEOUT_ANSWER)
        self.transport.close()
