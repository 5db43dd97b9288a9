"""The HTTP client under every Bot API call: PTB's ``BaseRequest`` on aiohttp, or PTB's own httpx.

Why not PTB's default (httpx with a pool of 256): py-spy on the bot showed httpcore walking every
connection of its pool on each request (``_assign_requests_to_connections``, an ``is_readable``
socket poll per idle connection): while broadcasting, four fifths of the main thread's busy
samples were in the HTTP client, and a report flow cost a third more CPU than on aiohttp.
aiohttp's connector hands out an idle connection from a per-host stack without looking at the
others, and its parser is compiled. ``AiohttpRequest`` is therefore the default
(``TELEGRAM_HTTP_CLIENT=aiohttp``); ``httpx`` keeps PTB's own client with a right-sized pool.

Everything above ``do_request`` stays PTB's: ``BaseRequest`` turns HTTP codes into
``BadRequest``/``Forbidden``/``RetryAfter``/... and the rate limiter (bot/telegram/rate_limiter.py)
wraps the whole call, so only the transport is swapped. The semantics kept from
``HTTPXRequest``: a timeout of any kind is ``TimedOut`` (never retried by our limiter, since the
message may have been sent), any other transport failure is ``NetworkError`` (retried), form
fields are sent as ``application/x-www-form-urlencoded`` and uploads as ``multipart/form-data``,
uploads get the longer ``media_write_timeout``, redirects are not followed, and proxies come from
the environment (HTTPS_PROXY, NO_PROXY...) as httpx takes them. Not through aiohttp's own
``trust_env``, though: that reads the environment and ~/.netrc again, in worker threads, on every
request (a broadcast's CPU per message went from 2.65 to 1.8 ms without it, bench/README.md);
here each host's proxy is looked up once.

aiohttp has no write timeout of its own: the read timeout only starts once the body is sent.
So the whole request is also bounded by the sum of the pool, connect, write and read timeouts,
and a stalled upload still ends in ``TimedOut``.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

# NO_PROXY's rules as urllib (and requests) apply them; in every CPython, not in typeshed.
from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.config import HttpClient

#: What PTB gives an upload to be written (HTTPXRequest's default): photos are large.
MEDIA_WRITE_TIMEOUT = 20.0
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """PTB's request interface over one ``aiohttp.ClientSession`` (one connection pool)."""

    __slots__ = (
        "_connect_timeout",
        "_environment",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxies",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 32,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        # Made in initialize(): an aiohttp session belongs to the running event loop.
        self._session: aiohttp.ClientSession | None = None
        # The environment's proxies as at construction, as httpx reads them for its client.
        self._environment = urllib.request.getproxies_environment()
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0),
                # Telegram sets no cookies; a jar would only be looked up on every request.
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        timeout = self._timeout(
            _given(read_timeout, self._read_timeout),
            _given(write_timeout, self._media_write_timeout if uploads else self._write_timeout),
            _given(connect_timeout, self._connect_timeout),
            _given(pool_timeout, self._pool_timeout),
        )
        try:
            async with session.request(
                method,
                url,
                data=_body(request_data),
                headers=_FORM if request_data is not None and not uploads else None,
                timeout=timeout,
                allow_redirects=False,  # as httpx: a redirect is an answer, not followed
                proxy=self._proxy(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # The class name says what failed when the message is empty (a dropped connection).
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error

    def _proxy(self, url: str) -> str | None:
        """The environment's proxy for ``url``'s scheme and host (None: connect directly)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxies = self._environment
            bypass = bool(key[1]) and bool(proxy_bypass_environment(key[1], proxies))
            self._proxies[key] = None if bypass else proxies.get(key[0]) or proxies.get("all")
        return self._proxies[key]

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        parts = (read, write, connect, pool)
        total = None if any(part is None for part in parts) else sum(p or 0.0 for p in parts)
        return aiohttp.ClientTimeout(
            total=total,
            # aiohttp's "connect" is waiting for a pooled connection plus making a new one.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> bytes | aiohttp.FormData | None:
    """The parameters as httpx sends them: a url-encoded form, or multipart with the files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.url_encoded_parameters().encode()
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def build_request(
    client: HttpClient, *, pool_size: int, timeout: float, pool_timeout: float
) -> BaseRequest:
    """One Bot API client with ``timeout`` as its read, write and connect timeouts; uploads get
    PTB's longer write timeout."""
    if client == "httpx":
        return HTTPXRequest(
            connection_pool_size=pool_size,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            pool_timeout=pool_timeout,
            media_write_timeout=max(timeout, MEDIA_WRITE_TIMEOUT),
        )
    return AiohttpRequest(
        connection_pool_size=pool_size,
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
        pool_timeout=pool_timeout,
        media_write_timeout=max(timeout, MEDIA_WRITE_TIMEOUT),
    )


def build_requests(
    client: HttpClient, *, pool_size: int, timeout: float
) -> tuple[BaseRequest, BaseRequest]:
    """The two clients PTB's ``Application`` takes: one for every call, one for ``getUpdates``.

    Every call: ``pool_size`` connections; a request finding none free waits up to ``timeout``
    (PTB's 1 s would turn a short burst into TimedOut errors for requests never sent).
    getUpdates: one connection and PTB's own defaults (5 s, pool 1 s), as before; PTB adds the
    long-poll's ``timeout`` to the read timeout on every call."""
    calls = build_request(client, pool_size=pool_size, timeout=timeout, pool_timeout=timeout)
    updates = build_request(client, pool_size=1, timeout=5.0, pool_timeout=1.0)
    return calls, updates
