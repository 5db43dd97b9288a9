"""What the HTTP port does with clients that are too big or too slow, over a real socket.

The bot runs in webhook mode (every POST route mounted) with short limits: a request head and
then its body each have 1 second, an idle kept-alive connection 1 second, and 4 connections at
most. The clients are raw sockets, so the test decides exactly which bytes go out and when:
an answer that arrives while most of a body is still unsent proves that the body was not read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.config import ConfigError, load_settings
from bot.http.staff_signin import COOKIE
from bot.http.webhook import SECRET_HEADER, WEBHOOK_PATH
from storage.web_sessions import WebSessionRepository
from tests.conftest import TOKEN
from tests.test_webhook import SECRET, WebhookBot, webhook_bot

TIMEOUT = 1.0  # HTTP_READ_TIMEOUT_SECONDS and HTTP_KEEP_ALIVE_SECONDS of the bot under test
HUGE = 200 * 1024 * 1024


@pytest.fixture
async def served(sandbox, tmp_path, admin) -> AsyncIterator[WebhookBot]:
    async with webhook_bot(
        sandbox,
        tmp_path / "w.sqlite3",
        ADMIN_USER_IDS=str(admin.user_id),
        HTTP_READ_TIMEOUT_SECONDS=str(TIMEOUT),
        HTTP_KEEP_ALIVE_SECONDS=str(TIMEOUT),
        HTTP_MAX_CONNECTIONS="4",
    ) as running:
        yield running


class Raw:
    """One TCP connection to the bot's port."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def to(cls, running: WebhookBot) -> Raw:
        port = running.settings.http_port
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def answer(self, within: float = 5.0) -> bytes:
        """Everything the server sends until it closes the connection."""
        async with asyncio.timeout(within):
            return await self.reader.read(-1)

    def listen(self) -> asyncio.Task[bytes]:
        """Read the answer in the background, while the test goes on sending."""
        return asyncio.create_task(self.answer(within=10))

    async def trickle(self, data: bytes, every: float, answered: asyncio.Task[bytes]) -> None:
        """``data`` a byte at a time, until the server answers (or stops listening)."""
        for byte in data:
            if answered.done():
                return
            try:
                await self.send(bytes([byte]))
            except ConnectionError:
                return
            await asyncio.sleep(every)

    async def head_and_body(self, within: float = 5.0) -> tuple[bytes, bytes]:
        """One response (the connection may stay open): its head and its body."""
        async with asyncio.timeout(within):
            head = await self.reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.lower().split(b"\r\n")
                if line.startswith(b"content-length:")
            )
            return head, await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@pytest.fixture
async def connect(served) -> AsyncIterator:
    opened: list[Raw] = []

    async def open_one() -> Raw:
        raw = await Raw.to(served)
        opened.append(raw)
        return raw

    yield open_one
    for raw in opened:
        await raw.close()


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ")[1])


def error_of(answer: bytes) -> dict:
    [error] = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    return error


def post_head(path: str, *lines: str, kind: str = "application/json") -> bytes:
    head = [f"POST {path} HTTP/1.1", "Host: bot.test", f"Content-Type: {kind}", *lines]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


# -- slow clients ------------------------------------------------------------------------------


async def test_a_head_trickled_a_byte_at_a_time_is_cut_off(connect):
    raw = await connect()
    started = time.monotonic()
    await raw.send(b"GET /healthz HTTP/1.1\r\nHo")
    answered = raw.listen()
    # Four bytes a second: the whole head would take over 15 s.
    await raw.trickle(b"st: bot.test\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n", 0.25, answered)
    answer = await answered
    assert time.monotonic() - started < TIMEOUT + 1.5
    assert status_of(answer) == 408 and error_of(answer)["code"] == 408


async def test_a_connection_that_sends_nothing_is_closed(connect):
    raw = await connect()
    started = time.monotonic()
    answer = await raw.answer(within=TIMEOUT + 3)
    assert answer == b""  # closed without a word: it may be a browser's spare connection
    assert time.monotonic() - started < TIMEOUT + 1.5


async def test_a_body_trickled_slowly_is_cut_off(connect):
    raw = await connect()
    body = b'{"description": "' + b"a" * 100 + b'"}'
    await raw.send(post_head("/open311/v2/requests.json", f"Content-Length: {len(body)}"))
    started = time.monotonic()
    answered = raw.listen()
    await raw.trickle(body, 0.25, answered)  # four bytes a second: the body would take 30 s
    answer = await answered
    assert time.monotonic() - started < TIMEOUT + 1.5
    assert status_of(answer) == 408, answer
    assert "did not arrive" in error_of(answer)["description"]


async def test_an_idle_kept_alive_connection_is_closed(connect):
    raw = await connect()
    await raw.send(b"GET /healthz HTTP/1.1\r\nHost: bot.test\r\n\r\n")
    head, _ = await raw.head_and_body()
    assert status_of(head) == 200 and b"connection: close" not in head.lower()
    started = time.monotonic()
    rest = await raw.answer(within=TIMEOUT + 2)
    assert rest == b""  # closed, without a word: the last answer was complete
    assert time.monotonic() - started < TIMEOUT + 1


async def test_beyond_http_max_connections_the_answer_is_busy(connect):
    for _ in range(3):
        idle = await connect()
        await idle.send(b"G")  # a request begun: open, and counted
    raw = await connect()
    await raw.send(b"GET /healthz HTTP/1.1\r\nHost: bot.test\r\n\r\n")
    assert status_of(await raw.answer()) == 503


async def test_a_request_head_over_8_kb_is_refused(connect):
    raw = await connect()
    await raw.send(b"GET /healthz HTTP/1.1\r\nHost: bot.test\r\nX-Big: " + b"a" * 12_000)
    assert status_of(await raw.answer()) == 400  # before the head has even ended
    fits = await connect()
    await fits.send(
        b"GET /healthz HTTP/1.1\r\nHost: bot.test\r\nX-Big: " + b"a" * 6_000 + b"\r\n\r\n"
    )
    head, _ = await fits.head_and_body()
    assert status_of(head) == 200


# -- bodies answered before they are sent ------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/open311/v2/requests.json", "/api/v1/requests/1/updates", WEBHOOK_PATH]
)
async def test_a_declared_content_length_over_the_limit_is_refused_before_the_body(connect, path):
    raw = await connect()
    await raw.send(post_head(path, f"{SECRET_HEADER}: {SECRET}", f"Content-Length: {HUGE}"))
    answer = await raw.answer(within=3)  # not one byte of the body was sent
    assert status_of(answer) == 413
    assert error_of(answer) == {"code": 413, "description": error_of(answer)["description"]}
    assert "over" in error_of(answer)["description"]


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/open311/v2/requests.json", 64 * 1024),
        ("/api/v1/requests/1/updates", 64 * 1024),
        (WEBHOOK_PATH, 1024 * 1024),
    ],
)
async def test_a_chunked_body_is_cut_off_at_the_limit(connect, path, limit):
    raw = await connect()
    await raw.send(post_head(path, f"{SECRET_HEADER}: {SECRET}", "Transfer-Encoding: chunked"))
    chunk = b"x" * 16 * 1024
    answered = raw.listen()
    sent = 0
    while not answered.done() and sent < 4 * limit:
        await raw.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sent += len(chunk)
        await asyncio.sleep(0.01)
    answer = await answered
    assert status_of(answer) == 413 and error_of(answer)["code"] == 413
    assert limit < sent <= limit + 4 * len(chunk), sent  # answered as soon as it was over


async def test_a_webhook_call_with_a_wrong_secret_is_refused_before_its_body(connect, sandbox):
    raw = await connect()
    await raw.send(post_head(WEBHOOK_PATH, f"{SECRET_HEADER}: wrong", "Transfer-Encoding: chunked"))
    await raw.send(b"10\r\n" + b"{" * 16 + b"\r\n")  # the first 16 bytes of an endless body
    answer = await raw.answer(within=3)
    assert status_of(answer) == 403 and error_of(answer)["code"] == 403
    assert not sandbox.calls_to("sendMessage")


async def test_a_staff_form_over_the_limit_is_refused_before_its_body(served, connect, admin):
    sessions = WebSessionRepository(served.services.store.db)
    now = served.services.clock.now()
    login = await sessions.create_login(admin.user_id, "Admin", now, timedelta(minutes=10))
    _, session = await sessions.redeem_login(login, now, timedelta(hours=1))
    raw = await connect()
    await raw.send(
        post_head(
            "/staff/logout",
            f"Cookie: {COOKIE}={session}",
            f"Content-Length: {HUGE}",
            kind="application/x-www-form-urlencoded",
        )
    )
    answer = await raw.answer(within=3)
    assert status_of(answer) == 413 and b"Formulir terlalu besar" in answer  # HTML page


# -- settings ----------------------------------------------------------------------------------


def test_the_limits_default_to_sensible_values():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.http_max_connections == 200
    assert settings.http_read_timeout_seconds == 10
    assert settings.http_keep_alive_seconds == 5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HTTP_MAX_CONNECTIONS", "0"),
        ("HTTP_MAX_CONNECTIONS", "many"),
        ("HTTP_READ_TIMEOUT_SECONDS", "0"),
        ("HTTP_READ_TIMEOUT_SECONDS", "nan"),
        ("HTTP_READ_TIMEOUT_SECONDS", "inf"),
        ("HTTP_KEEP_ALIVE_SECONDS", "-1"),
        ("HTTP_KEEP_ALIVE_SECONDS", "3600"),
    ],
)
def test_bad_limits_name_the_variable(name, value):
    with pytest.raises(ConfigError) as error:
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, name: value})
    assert str(error.value).startswith(f"{name}=") and ": set e.g." in str(error.value)
