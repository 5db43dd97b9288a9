"""Drafts survive restarts: a citizen continues where they were, with everything already given."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import TOKEN
from tests.helpers import MONAS, at_location_step, jpeg, reference_in

ROOT = Path(__file__).resolve().parent.parent


async def test_restart_midway_continues_the_draft(sandbox, bot):
    warga = sandbox.citizen()
    await at_location_step(warga, "Sampah")
    await warga.share_location(*MONAS)
    await warga.next_message()
    await warga.send_photo(jpeg(1))
    await warga.next_message()

    await bot.restart()

    await warga.send_photo(jpeg(2))
    assert "Foto 2/3" in (await warga.next_message()).plain_text
    await warga.tap("Selesai")
    await warga.next_message()
    await warga.send("Sampah menumpuk sejak tiga hari")
    await warga.next_message()
    summary = await warga.next_message()
    assert "Foto: 2" in summary.plain_text and "🗑️ Sampah" in summary.plain_text
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    assert len(await bot.services.store.reports.photos(ref)) == 2


async def _spawn_bot(sandbox, database: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "TELEGRAM_API_FILE_URL": sandbox.base_file_url,
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "INFO",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_sigkill_midway_loses_nothing_the_citizen_was_told(sandbox, tmp_path):
    """``python -m bot`` in its own process, killed with SIGKILL right after an answer."""
    database = tmp_path / "w.sqlite3"
    process = await _spawn_bot(sandbox, database)
    try:
        warga = sandbox.citizen()
        await warga.send("/report")
        await warga.next_message(timeout=20)  # start-up included
        await warga.tap("Banjir")
        await warga.next_message()
        await warga.share_location(*MONAS)
        await warga.next_message()
        await warga.send_photo(jpeg(1))
        assert "Foto 1/3" in (await warga.next_message()).plain_text
        process.send_signal(signal.SIGKILL)
        await process.wait()

        await warga.send_photo(jpeg(2))  # sent while the bot is down
        process = await _spawn_bot(sandbox, database)
        assert "Foto 2/3" in (await warga.next_message(timeout=20)).plain_text
        await warga.tap("Selesai")
        await warga.next_message()
        await warga.send("Air setinggi lutut sejak pagi")
        await warga.next_message()
        summary = await warga.next_message()
        assert "Foto: 2" in summary.plain_text and "🌊 Banjir" in summary.plain_text
        await warga.tap("Kirim laporan")
        assert reference_in((await warga.next_message()).plain_text) == 1001
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
