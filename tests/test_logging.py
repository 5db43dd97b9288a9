"""Logs are JSON lines and never contain the bot token or a citizen's phone number."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import setup_logging
from tests.conftest import TOKEN
from tests.helpers import file_report

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
    text = captured_logs.getvalue()
    lines = text.strip().splitlines()
    assert len(lines) > 20  # the chatty loggers really were captured
    assert all(isinstance(json.loads(line), dict) for line in lines)
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
    for phone in PHONE_NUMBERS:
        assert phone not in text and phone.replace("-", "") not in text
    assert "[phone]" in text and "[token]" in text  # both were there, and were redacted
