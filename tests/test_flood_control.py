"""Flood control: an hourly cap per citizen, and no double submissions."""

from __future__ import annotations

from tests.conftest import RunningBot, make_settings
from tests.helpers import DESCRIPTION, file_report, reference_in, until_summary


async def test_the_same_report_twice_within_minutes_is_refused(sandbox, bot, store):
    warga = sandbox.citizen()
    first = await file_report(warga)
    await until_summary(warga)
    await warga.tap("Kirim laporan")
    refusal = await warga.next_message()
    assert "tidak dikirim dua kali" in refusal.plain_text
    assert reference_in(refusal.plain_text) == first
    assert await store.reports.count_by_citizen(warga.user_id) == 1


async def test_hourly_cap_refuses_politely_and_keeps_the_draft(sandbox, tmp_path):
    settings = make_settings(sandbox, tmp_path / "w.sqlite3", MAX_REPORTS_PER_HOUR="2")
    running = RunningBot(settings)
    await running.start()
    try:
        warga = sandbox.citizen()
        await file_report(warga, description="Genangan pertama di jalan")
        await file_report(warga, description="Genangan kedua di gang")
        await until_summary(warga, description="Genangan ketiga di pasar")
        await warga.tap("Kirim laporan")
        refusal = await warga.next_message()
        assert "2 laporan dalam satu jam" in refusal.plain_text
        store = running.services.store
        assert await store.reports.count_by_citizen(warga.user_id) == 2
        draft = await store.drafts.get(warga.user_id)
        assert draft.description == "Genangan ketiga di pasar"
        assert DESCRIPTION not in refusal.plain_text
    finally:
        await running.stop()
