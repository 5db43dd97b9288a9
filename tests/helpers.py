"""Shared steps of the citizen's story, so each test spells out only what it is about."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT, TOKEN, RunningBot

MONAS = (-6.1754, 106.8272)
KOTA_TUA = (-6.1352, 106.8133)
BANDUNG = (-6.9147, 107.6098)
DESCRIPTION = "Air setinggi lutut di depan pintu timur sejak pagi"


def map_link(message) -> str | None:
    """The card's "🗺️ Buka peta" link: the URL of its text link, as Telegram stores it."""
    entities = message.raw.get("entities") or message.raw.get("caption_entities") or []
    links = [entity["url"] for entity in entities if entity["type"] == "text_link"]
    return links[0] if links else None


def osm(lat: float, lon: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"


def jpeg(seed: int = 0) -> bytes:
    """Distinct bytes per seed, shaped like a JPEG, so each photo is a different file."""
    return b"\xff\xd8\xff\xe0" + f"photo-{seed}".encode() * 20 + b"\xff\xd9"


def reference_in(text: str) -> int:
    match = re.search(r"#(\d+)", text)
    assert match, f"no reference in {text!r}"
    return int(match.group(1))


async def at_location_step(warga, category: str = "Banjir"):
    """/report and a category: the bot now asks where."""
    await warga.send("/report")
    await warga.next_message()
    await warga.tap(category)
    return await warga.next_message()


async def until_description(warga, category: str = "Banjir", photos: int = 1, where=MONAS):
    """/report, a category, a location and ``photos`` photos without a caption (none: Skip);
    ends at the description step."""
    await at_location_step(warga, category)
    await warga.share_location(*where)
    await warga.next_message()
    for seed in range(photos):
        await warga.send_photo(jpeg(seed))
        await warga.next_message()
    if not photos:
        await warga.tap("Lewati")
        await warga.next_message()


async def until_summary(warga, **kwargs):
    description = kwargs.pop("description", DESCRIPTION)
    await until_description(warga, **kwargs)
    await warga.send(description)
    return await warga.next_message()  # the summary


async def file_report(warga, **kwargs) -> int:
    await until_summary(warga, **kwargs)
    await warga.tap("Kirim laporan")
    return reference_in((await warga.next_message()).plain_text)


async def file_in_five(
    warga, category: str = "Banjir", where=MONAS, description=DESCRIPTION, *, opened=False
):
    """The short way: /report (unless ``opened``: the categories are already asked), a
    category, the location, a photo with the description as its caption, send. Returns the bot's
    messages from the category question on, and the reference."""
    start = len(warga.messages) - 1 if opened else len(warga.messages)
    if not opened:
        await warga.send("/report")
        await warga.next_message()
    await warga.tap(category)
    await warga.next_message()
    await warga.share_location(*where)
    await warga.next_message()
    await warga.send_photo(jpeg(5), caption=description)
    await warga.next_message()
    await warga.tap("✅")
    ref = reference_in((await warga.next_message()).plain_text)
    return warga.messages[start:], ref


async def run_cli(
    bot: RunningBot | Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ...`` on the bot's database (or on the database ``bot`` names), as the
    operator runs it beside the bot, without blocking the bot's event loop; ``env`` is more
    environment."""
    database = bot if isinstance(bot, Path) else bot.settings.database_path
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    if not isinstance(bot, Path) and bot.settings.database_url:
        environ["DATABASE_URL"] = bot.settings.database_url  # the bot's PostgreSQL database
    environ.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_PATH=str(database),
        **env,
    )
    database.parent.mkdir(parents=True, exist_ok=True)  # on PostgreSQL no SQLite file made it
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=environ,
        cwd=database.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return subprocess.CompletedProcess(args, process.returncode, out.decode(), err.decode())


#: A phone shows about this many characters on a line of a chat bubble (a 360–400 dp screen).
PHONE_LINE = 40
#: Methods that send, edit, delete or answer: what a report costs in Telegram's 30 a second.
_SPENDING = ("send", "edit", "delete")


def phone_rows(text: str, width: int = PHONE_LINE) -> int:
    """The lines ``text`` takes on a phone: each of its lines wrapped at ``width`` characters."""
    rows = 0
    for line in text.split("\n"):
        wrapped = textwrap.wrap(line, width, break_long_words=True, break_on_hyphens=False)
        rows += max(1, len(wrapped))
    return rows


def actions_of(sandbox, person) -> int:
    """How many updates (messages, presses) ``person`` has sent the bot so far."""
    return sum(1 for chat in sandbox.world.update_chat.values() if chat == person.chat_id)


def calls_to(sandbox, chat_id: int, since: int = 0) -> list[str]:
    """The Bot API methods the bot called for ``chat_id`` since call number ``since`` that send,
    edit, delete or answer (a typing indicator, ``sendChatAction``, not counted)."""
    return [
        call.method
        for call in sandbox.world.calls[since:]
        if call.chat_id == chat_id
        and call.method != "sendChatAction"
        and (call.method.lower().startswith(_SPENDING) or call.method == "answerCallbackQuery")
    ]
