"""Webhook mode: settings, ``POST /telegram`` and ``python -m bot`` serving it instead of polling.

The sandbox stores setWebhook but never pushes updates, so the tests post each update the way
Telegram would: as JSON, with the secret-token header.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import ConfigError, load_settings
from bot.http.server import build_app
from bot.http.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.playground.botapi.chatview import _command_entities
from bot.telegram.application import build_application
from tests.conftest import TOKEN, RunningBot, make_settings, spawn_bot

URL = "https://bot.example.org/telegram"
SECRET = "s3cret_-Token"
_update_ids = itertools.count(900_000_001)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebhookBot(RunningBot):
    """The bot as webhook mode runs it: started and post_init done, but no updater polling."""

    async def start(self) -> None:
        app = build_application(self.settings)
        await app.initialize()
        await app.post_init(app)
        await app.start()
        self.app = app


@asynccontextmanager
async def webhook_bot(sandbox: Any, database: Path, **overrides: str) -> AsyncIterator[WebhookBot]:
    """A started WebhookBot on ``database`` with URL, SECRET and a free HTTP_PORT (``overrides``
    are more settings); stopped on leaving."""
    settings = make_settings(
        sandbox,
        database,
        WEBHOOK_URL=URL,
        WEBHOOK_SECRET=SECRET,
        HTTP_PORT=str(free_port()),
        **overrides,
    )
    running = WebhookBot(settings)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def spawn_webhook_bot(sandbox: Any, database: Path) -> tuple[asyncio.subprocess.Process, int]:
    """``python -m bot`` in webhook mode on a free port, returned with that port once it has
    called setWebhook (its HTTP server is up by then); killed if it fails to get there."""
    port = free_port()
    process = await spawn_bot(
        sandbox,
        database,
        HTTP_PORT=str(port),
        WEBHOOK_URL=URL,
        WEBHOOK_SECRET=SECRET,
    )
    try:
        async with asyncio.timeout(20):
            while not sandbox.calls_to("setWebhook"):
                assert process.returncode is None, await process.stderr.read()
                await asyncio.sleep(0.05)
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    return process, port


@pytest.fixture
async def hooked(sandbox, tmp_path) -> AsyncIterator[WebhookBot]:
    async with webhook_bot(sandbox, tmp_path / "w.sqlite3") as running:
        yield running


def client(running: WebhookBot) -> httpx.AsyncClient:
    app = build_app(running.services, application=running.app)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hook.test")


def update_from(person: Any, text: str = "/start") -> dict[str, Any]:
    """The update Telegram would post for ``person`` typing ``text`` (stored in the sandbox's
    chat so replies can refer to it, but not queued for getUpdates)."""
    content: dict[str, Any] = {"text": text, "entities": _command_entities(text)}
    message = person._user_message(person.user, content)
    return {"update_id": next(_update_ids), "message": message}


# -- settings ----------------------------------------------------------------------------------


def _load(**env: str):
    return load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def test_webhook_settings():
    assert (_load().webhook_url, _load().webhook_secret) == (None, None)
    chosen = _load(WEBHOOK_URL=URL, WEBHOOK_SECRET=SECRET, HTTP_PORT="8080")
    assert (chosen.webhook_url, chosen.webhook_secret) == (URL, SECRET)
    assert _load(WEBHOOK_URL=URL, WEBHOOK_SECRET="x" * 256, HTTP_PORT="8080").webhook_secret


@pytest.mark.parametrize(
    ("env", "starts", "mentions"),
    [
        ({"WEBHOOK_URL": URL, "HTTP_PORT": "8080"}, "WEBHOOK_SECRET is missing", "WEBHOOK_URL"),
        (
            {"WEBHOOK_URL": URL, "HTTP_PORT": "8080", "WEBHOOK_SECRET": "has space"},
            "WEBHOOK_SECRET must be",
            "A-Z",
        ),
        (
            {"WEBHOOK_URL": URL, "HTTP_PORT": "8080", "WEBHOOK_SECRET": "x" * 257},
            "WEBHOOK_SECRET must be",
            "1-256",
        ),
        (
            {"WEBHOOK_URL": URL, "HTTP_PORT": "8080", "WEBHOOK_SECRET": "sé"},
            "WEBHOOK_SECRET must be",
            "1-256",
        ),
        ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL is set", "HTTP_PORT"),
        (
            {"WEBHOOK_URL": "http://bot.example.org/t", "WEBHOOK_SECRET": SECRET},
            "WEBHOOK_URL=",
            "https",
        ),
    ],
)
def test_webhook_settings_refused(env, starts, mentions):
    with pytest.raises(ConfigError) as error:
        _load(**env)
    assert str(error.value).startswith(starts) and mentions in str(error.value)


# -- the endpoint ----------------------------------------------------------------------------


async def test_an_update_with_the_secret_is_answered(sandbox, hooked):
    warga = sandbox.citizen()
    async with client(hooked) as api:
        answer = await api.post(
            WEBHOOK_PATH, json=update_from(warga), headers={SECRET_HEADER: SECRET}
        )
    assert answer.status_code == 200
    greeting = await warga.next_message()
    assert greeting.plain_text
    assert not sandbox.calls_to("getUpdates")  # nothing polled: the update came by webhook


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}])
async def test_a_wrong_or_missing_secret_is_refused(sandbox, hooked, headers):
    warga = sandbox.citizen()
    async with client(hooked) as api:
        answer = await api.post(WEBHOOK_PATH, json=update_from(warga), headers=headers)
    assert answer.status_code == 403
    await asyncio.sleep(0.5)
    assert not sandbox.calls_to("sendMessage")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"no": "update_id"}', b"\xff"])
async def test_a_body_that_is_no_update_is_refused(sandbox, hooked, body):
    async with client(hooked) as api:
        answer = await api.post(
            WEBHOOK_PATH,
            content=body,
            headers={SECRET_HEADER: SECRET, "content-type": "application/json"},
        )
    assert answer.status_code == 400


async def test_no_webhook_route_without_webhook_url(bot):
    app = build_app(bot.services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as api:
        answer = await api.post(WEBHOOK_PATH, json={}, headers={SECRET_HEADER: SECRET})
    assert answer.status_code == 404


# -- python -m bot ---------------------------------------------------------------------------


async def test_python_m_bot_serves_the_webhook_and_stops_on_sigterm(sandbox, tmp_path):
    process, port = await spawn_webhook_bot(sandbox, tmp_path / "w.sqlite3")
    try:
        (call,) = sandbox.calls_to("setWebhook")
        assert call.params["url"] == URL and call.params["secret_token"] == SECRET
        assert "message" in call.params["allowed_updates"]
        warga = sandbox.citizen()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            # post_init started the HTTP server before setWebhook was called.
            answer = await http.post(
                WEBHOOK_PATH, json=update_from(warga), headers={SECRET_HEADER: SECRET}
            )
        assert answer.status_code == 200
        assert (await warga.next_message(timeout=10)).plain_text
        assert not sandbox.calls_to("getUpdates") and not sandbox.calls_to("deleteWebhook")
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(15):
            code = await process.wait()
        errors = (await process.stderr.read()).decode()
        assert code == 0 and "Traceback" not in errors, errors
        assert not sandbox.calls_to("deleteWebhook")  # updates wait at Telegram while restarting
        assert sandbox.world.webhook["url"] == URL
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
