"""Drafts survive restarts: a citizen continues where they were, with everything already given."""

from __future__ import annotations

import asyncio
import signal

from tests.conftest import spawn_bot
from tests.fakes.nominatim import start_fake_nominatim
from tests.helpers import MONAS, at_location_step, jpeg, reference_in


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
    await warga.send("Sampah menumpuk sejak tiga hari")
    summary = await warga.next_message()
    assert "2 foto" in summary.plain_text and "🗑️ Sampah" in summary.plain_text
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    assert len(await bot.services.store.reports.photos(ref)) == 2


async def test_sigkill_midway_loses_nothing_the_citizen_was_told(sandbox, tmp_path):
    """``python -m bot`` in its own process, killed with SIGKILL right after an answer."""
    database = tmp_path / "w.sqlite3"
    process = await spawn_bot(sandbox, database)
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
        process = await spawn_bot(sandbox, database)
        answer = await warga.next_message(timeout=20)
        if "sudah ada" in answer.plain_text:
            # Killed between answering photo 1 and noting it handled: it is replayed, and the
            # bot knows the photo. Updates are handled at least once (bot/telegram/inbox.py).
            assert "(1/3)" in answer.plain_text and "Tulis penjelasan" in answer.plain_text
            answer = await warga.next_message()
        assert "Foto 2/3" in answer.plain_text
        await warga.send("Air setinggi lutut sejak pagi")
        summary = await warga.next_message()
        assert "2 foto" in summary.plain_text and "🌊 Banjir" in summary.plain_text
        await warga.tap("Kirim laporan")
        assert reference_in((await warga.next_message()).plain_text) == 1001
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def test_an_update_being_handled_at_a_sigkill_is_handled_after_the_restart(sandbox, tmp_path):
    """The bot has fetched (and so confirmed to Telegram) a typed address and is waiting on the
    geocoder when it is killed: after the restart the address is looked up and answered."""
    nominatim = await start_fake_nominatim()
    database = tmp_path / "w.sqlite3"
    geocoder = {"GEOCODER": "nominatim", "NOMINATIM_URL": nominatim.url, "GEOCODER_TIMEOUT": "10"}
    process = await spawn_bot(sandbox, database, **geocoder)
    try:
        warga = sandbox.citizen()
        await warga.send("/report")
        await warga.next_message(timeout=20)
        await warga.tap("Banjir")
        await warga.next_message()
        nominatim.delay(30)
        await warga.send("Jalan Medan Merdeka Barat")
        address = sandbox.world.pending[-1]["update_id"]
        for _ in range(200):  # the fake geocoder is not the sandbox: poll it
            if nominatim.requests:
                break
            await asyncio.sleep(0.05)
        assert nominatim.requests, "the bot never asked the geocoder"
        # By now the bot has asked for the next updates, which confirms this one to Telegram:
        # it will never be sent again.
        assert await sandbox.world.wait_for(
            lambda: all(u["update_id"] != address for u in sandbox.world.pending), 5
        )
        process.send_signal(signal.SIGKILL)
        await process.wait()
        nominatim.behave()

        process = await spawn_bot(sandbox, database, **geocoder)
        pin = await warga.next_message(timeout=20)
        assert pin.kind == "venue", warga.transcript()
        question = await warga.next_message()
        assert "Medan Merdeka Barat" in question.plain_text and "✅ Ya, di sini" in question.buttons
        await warga.tap("Ya, di sini")
        assert "foto" in (await warga.next_message()).plain_text
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
        await nominatim.close()
