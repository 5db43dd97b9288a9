"""Logs are JSON lines and never contain a secret (token, webhook secret, login link, invite, API
key) or a citizen's phone number, at any LOG_LEVEL."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import signal
from pathlib import Path
from secrets import token_urlsafe
from typing import Any

import httpx
import pytest

from bot.http.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.logs import setup_logging
from tests.conftest import TOKEN, spawn_bot
from tests.helpers import MONAS, file_report
from tests.test_cli import run_cli
from tests.test_webhook import URL as WEBHOOK_URL
from tests.test_webhook import free_port, update_from

PHONE_NUMBERS = ("+6281234567890", "0812-3456-7890", "081298765432")


@pytest.fixture
def captured_logs():
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    setup_logging("DEBUG", TOKEN, stream)
    # Let the chattiest loggers through, token-bearing URLs included, to prove the redaction.
    for name in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def test_a_whole_report_logs_neither_token_nor_phone(sandbox, bot, captured_logs):
    warga = sandbox.citizen()
    await warga.send_contact(phone=PHONE_NUMBERS[0])
    await warga.next_message()
    await file_report(
        warga, description=f"Hubungi saya di {PHONE_NUMBERS[1]} atau {PHONE_NUMBERS[2]}"
    )
    logging.getLogger("wargalapor.test").error("citizen wrote %s", PHONE_NUMBERS[0])
    # The Bot API client logs no URL with the token in it; a careless log line still might.
    logging.getLogger("wargalapor.test").error("calling %s/bot%s/getMe", "https://x", TOKEN)
    text = captured_logs.getvalue()
    lines = text.strip().splitlines()
    assert len(lines) > 20  # the chatty loggers really were captured
    assert all(isinstance(json.loads(line), dict) for line in lines)
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
    for phone in PHONE_NUMBERS:
        assert phone not in text and phone.replace("-", "") not in text
    assert "[phone]" in text and "[token]" in text  # both were there, and were redacted


# -- python -m bot at LOG_LEVEL=DEBUG: no secret in any line -------------------------------------

WEBHOOK_SECRET = "wh-Secret_for-the-logging-test-0123456789"


def log_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


async def stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(20):
        assert await process.wait() == 0


async def test_debug_logs_of_the_real_bot_hold_no_secret(sandbox, tmp_path, admin):
    """Webhook mode, PTB and httpx at DEBUG too (their request parameters in full): the webhook
    secret, a login link, a session, an invite and an API key (minted by the CLI, another
    process) all pass through the logs, and none is written."""
    port, database, errors = free_port(), tmp_path / "w.sqlite3", tmp_path / "stderr.log"
    with errors.open("wb") as sink:
        process = await spawn_bot(
            sandbox,
            database,
            errors=sink,
            LOG_LEVEL="DEBUG",
            LOG_LEVEL_LIBRARIES="DEBUG",
            HTTP_PORT=str(port),
            WEBHOOK_URL=WEBHOOK_URL,
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            ADMIN_USER_IDS=str(admin.user_id),
        )
        try:
            async with asyncio.timeout(30):
                while not sandbox.calls_to("setWebhook"):
                    assert process.returncode is None, errors.read_text()
                    await asyncio.sleep(0.05)
            secrets = [WEBHOOK_SECRET, TOKEN]
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

                async def say(person: Any, text: str) -> str:
                    update = update_from(person, text)
                    posted = await http.post(
                        WEBHOOK_PATH, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}
                    )
                    assert posted.status_code == 200
                    return (await person.next_message(timeout=15)).plain_text

                login = re.search(r"token=([\w-]+)", await say(admin, "/weblogin"))
                assert login, "no login link"
                invite = re.search(r"start=inv_([\w-]+)", await say(admin, "/invite kel. Gambir"))
                assert invite, "no invite link"
                officer = sandbox.citizen(first_name="Budi")
                assert "petugas" in await say(officer, f"/start inv_{invite.group(1)}")
                opened = await http.get(f"/staff/login?token={login.group(1)}")
                assert opened.status_code == 303
                session = opened.cookies["wl_staff"]
                assert (await http.get("/staff")).status_code == 200
                created = run_cli(
                    "apikey",
                    "create",
                    "--name",
                    "Dinas SDA",
                    env={"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(database)},
                    cwd=tmp_path,
                )
                key = re.search(r"wl_[\w-]+", created.stdout)
                assert created.returncode == 0 and key, created.stderr
                filed = await http.post(
                    "/open311/v2/requests.json",
                    headers={"X-API-Key": key.group(0)},
                    data={
                        "service_code": "flood",
                        "lat": str(MONAS[0]),
                        "long": str(MONAS[1]),
                        "description": "Genangan air 40 cm di depan halte",
                    },
                )
                assert filed.status_code == 201, filed.text
                read = await http.get(
                    "/open311/v2/requests.json", headers={"X-API-Key": key.group(0)}
                )
                assert read.status_code == 200
            secrets += [login.group(1), invite.group(1), session, key.group(0)]
        finally:
            if process.returncode is None:
                await stop(process)
    text = errors.read_text(encoding="utf-8")
    lines = log_lines(errors)
    assert "Traceback" not in text
    # PTB's debug lines were there (each call's parameters): the redaction met them.
    assert any(line["logger"].startswith("telegram") and line["level"] == "debug" for line in lines)
    assert any("setWebhook" in line["msg"] for line in lines)
    for secret in secrets:
        assert secret not in text
    assert "[token]" in text


async def test_ptb_and_httpx_stay_quiet_at_debug_unless_asked(sandbox, tmp_path):
    """LOG_LEVEL=DEBUG is for the bot's own lines: PTB stays at INFO and httpx at WARNING."""
    errors = tmp_path / "stderr.log"
    with errors.open("wb") as sink:
        process = await spawn_bot(sandbox, tmp_path / "p.sqlite3", errors=sink, LOG_LEVEL="DEBUG")
        try:
            warga = sandbox.citizen()
            await warga.send("/start")
            assert (await warga.next_message(timeout=30)).plain_text
        finally:
            if process.returncode is None:
                await stop(process)
    lines = log_lines(errors)
    from_ptb = [line for line in lines if line["logger"].startswith("telegram")]
    assert from_ptb, "PTB logged nothing at all"  # its INFO lines (Application started) remain
    assert not [line for line in from_ptb if line["level"] == "debug"]
    assert not [line for line in lines if line["logger"].startswith(("httpx", "httpcore"))]
    # aiosqlite's debug lines carry every statement's parameters (people's words and contacts).
    assert not [line for line in lines if line["logger"].startswith("aiosqlite")]


# -- phone numbers, as citizens type them -------------------------------------------------------

#: Every common Indonesian way of writing a number; each must disappear (tests/test_open311_privacy
#: runs the same table through the public API).
PHONE_FORMS = (
    "+62 812 3456 7890",
    "+62-812-3456-7890",
    "(0812) 3456 7890",
    "0812.3456.7890",
    "62 812 3456 7890",
    "08 12 34 56 78 90 12",
    "081234567890",
    "+6281234567890",
    "0812-3456-7890",
    "(+62) 812-3456-7890",
    "+62 (0)812 3456 7890",
    "(021) 345 6789",
)
#: Numbers that are no phone, and must be left as written. (A kelurahan code such as 3173080003
#: is one of them: it names a place, not a person, and logs use it as an extra.)
NOT_PHONES = (
    "#1042",
    "2026-12-01",
    "08:30",
    "pukul 08.30 - 10.00",
    "01.12.2026",
    "08-12-2026 08:30",
    "-6.1754, 106.8272",
    "RT 03/RW 05",
    "Rp 15.000",
    "Rp 1.250.000",
    "3173080003",
)


@pytest.mark.parametrize("phone", PHONE_FORMS)
def test_every_phone_form_is_redacted_in_logs(captured_logs, phone):
    logging.getLogger("wargalapor.test").info(
        "citizen wrote %s", f"Hubungi {phone} ya", extra={"text": f"WA: {phone}."}
    )
    [line] = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    assert line["msg"] == "citizen wrote Hubungi [phone] ya"
    assert line["text"] == "WA: [phone]."


@pytest.mark.parametrize("text", NOT_PHONES)
def test_numbers_that_are_no_phone_are_logged_as_they_are(captured_logs, text):
    logging.getLogger("wargalapor.test").info("report %s", text, extra={"kelurahan": text})
    [line] = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    assert line["msg"] == f"report {text}" and line["kelurahan"] == text


def test_secrets_nobody_registered_are_redacted_by_their_shape(captured_logs):
    """Minted by another process (the apikey CLI) or arriving in a request: known by shape."""
    invite, login, key, hook = (token_urlsafe(n) for n in (16, 32, 32, 24))
    log = logging.getLogger("wargalapor.test")
    log.info("sent https://t.me/wargalapor_bot?start=inv_%s", invite)
    log.info("got /start inv_%s", invite)
    log.info("link", extra={"url": f"https://lapor.example.go.id/staff/login?token={login}&x=1"})
    log.info("header", extra={"headers": f"{{'x-api-key': 'wl_{key}'}}"})
    log.info("call setWebhook with %s", {"url": "https://x", "secret_token": hook})
    text = captured_logs.getvalue()
    for secret in (invite, login, key, hook):
        assert secret not in text
    assert text.count("[token]") == 5
    assert "https://lapor.example.go.id/staff/login?token=[token]&x=1" in text


async def test_tokens_the_bot_mints_are_known_to_the_redaction_by_value(
    sandbox, make_bot, admin, captured_logs
):
    """A login token and an invite, as the bot hands them out, are redacted wherever they show
    up in a line, not only in the shapes the patterns know (here: bare, as a word)."""
    await make_bot(WEB_BASE_URL="https://lapor.example.go.id")
    await admin.send("/weblogin")
    login = re.search(r"token=([\w-]+)", (await admin.next_message()).plain_text)
    await admin.send("/invite kel. Gambir")
    invite = re.search(r"start=inv_([\w-]+)", (await admin.next_message()).plain_text)
    assert login and invite
    logging.getLogger("wargalapor.test").warning("bare %s and %s", login.group(1), invite.group(1))
    last = json.loads(captured_logs.getvalue().splitlines()[-1])
    assert last["msg"] == "bare [token] and [token]"


def test_a_job_cancelled_by_a_stop_is_no_error_but_a_failing_job_is():
    """A stop cancels a job caught mid-run (its work waits in the database): no traceback then,
    while a job that really fails is still logged with its traceback."""
    out = io.StringIO()
    setup_logging("INFO", "123:SECRET", out)
    executor = logging.getLogger("apscheduler.executors.default")
    for error in (asyncio.CancelledError(), ValueError("broken sweep")):
        try:
            raise error
        except BaseException:
            executor.error('Job "sweep" raised an exception', exc_info=True)
    written = out.getvalue()
    assert "CancelledError" not in written
    assert "broken sweep" in written and "Traceback" in written
