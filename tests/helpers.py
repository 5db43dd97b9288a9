"""Shared steps of the citizen's story, so each test spells out only what it is about."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
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
    """/report, a category, a location and ``photos`` photos; ends at the description step."""
    await at_location_step(warga, category)
    await warga.share_location(*where)
    await warga.next_message()
    for seed in range(photos):
        await warga.send_photo(jpeg(seed))
        await warga.next_message()
    if photos < 3:
        await warga.tap("Selesai" if photos else "Lewati")
        await warga.next_message()


async def until_summary(warga, **kwargs):
    description = kwargs.pop("description", DESCRIPTION)
    await until_description(warga, **kwargs)
    await warga.send(description)
    await warga.next_message()  # "description saved", takes the reply keyboard away
    return await warga.next_message()  # the summary


async def file_report(warga, **kwargs) -> int:
    description = kwargs.pop("description", DESCRIPTION)
    await until_description(warga, **kwargs)
    await warga.send(description)
    await warga.next_message()
    await warga.next_message()
    await warga.tap("Kirim laporan")
    return reference_in((await warga.next_message()).plain_text)


async def run_cli(
    bot: RunningBot | Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ...`` on the bot's database (or on the database ``bot`` names), as the
    operator runs it beside the bot, without blocking the bot's event loop; ``env`` is more
    environment."""
    database = bot if isinstance(bot, Path) else bot.settings.database_path
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    environ.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_PATH=str(database),
        **env,
    )
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
