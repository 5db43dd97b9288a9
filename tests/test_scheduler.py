"""The scheduler closes the loop: reminders and escalation (with quiet hours), the "is it fixed?"
survey, reopening and auto-close — driven by a clock the test moves forward."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.groups import Scope
from tests.helpers import file_report
from tests.test_groups import GAMBIR, linked_group, next_alert, resolve_from

FAST = {"SWEEP_SECONDS": "0.2", "OUTBOX_POLL_SECONDS": "0.3", "QUIET_HOURS": "off"}


async def resolved_report(sandbox, store, admin, warga):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    ref = await file_report(warga)
    card = await next_alert(group)
    await resolve_from(group, admin, card)
    resolved = await warga.next_message()
    assert "sudah diselesaikan petugas Kelurahan Gambir" in resolved.plain_text
    return ref, group, resolved


async def test_reminder_at_the_sla_then_escalation_at_twice_it(
    sandbox, make_bot, admin, admins_group
):
    bot = await make_bot(**FAST)
    store = bot.services.store
    kelurahan = await linked_group(sandbox, store, admin, GAMBIR)
    kecamatan = await linked_group(
        sandbox, store, admin, Scope("kecamatan", "Gambir"), title="Kecamatan Gambir"
    )
    warga = sandbox.citizen()
    ref = await file_report(warga)  # a flood: 6 hours to acknowledge
    card = await next_alert(kelurahan)
    await next_alert(kecamatan)

    bot.services.clock.advance(timedelta(hours=5, minutes=50))
    await kelurahan.expect_no_message(within=0.6)

    bot.services.clock.advance(timedelta(minutes=15))
    reminder = await kelurahan.next_message()
    assert f"laporan #{ref}" in reminder.plain_text and "batasnya 6 jam" in reminder.plain_text
    assert reminder.reply_to_message_id == card.message_id
    assert "👀 Terima" in reminder.buttons
    await admins_group.expect_no_message(within=0.3)
    await warga.send(f"/status {ref}")
    assert "Terlambat" in (await warga.next_message()).plain_text

    bot.services.clock.advance(timedelta(hours=6))
    escalation = await kecamatan.next_message()  # after its own reminder
    if "Pengingat" in escalation.plain_text:
        escalation = await kecamatan.next_message()
    assert "Eskalasi" in escalation.plain_text and f"#{ref}" in escalation.plain_text
    assert "Eskalasi" in (await admins_group.next_message()).plain_text
    await kelurahan.expect_no_message(within=0.5)  # the kelurahan was reminded already
    report = await store.reports.get(ref)
    assert report.reminded_at and report.escalated_at


async def test_acknowledged_reports_get_no_reminder(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    group = await linked_group(sandbox, bot.services.store, admin, GAMBIR)
    warga = sandbox.citizen()
    await file_report(warga)
    card = await next_alert(group)
    await group.tap(admin, "Terima", message=card)
    await group.next_edit(card)
    bot.services.clock.advance(timedelta(hours=13))
    await group.expect_no_message(within=0.8)


async def test_reminders_wait_out_quiet_hours(sandbox, make_bot, admin):
    # Quiet hours that start 6 h from now and last 2 h: the reminder falls inside them.
    local_now = datetime.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Jakarta"))
    start = (local_now + timedelta(hours=5, minutes=55)).strftime("%H:%M")
    end = (local_now + timedelta(hours=8)).strftime("%H:%M")
    bot = await make_bot(**{**FAST, "QUIET_HOURS": f"{start}-{end}"})
    group = await linked_group(sandbox, bot.services.store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    await next_alert(group)
    bot.services.clock.advance(timedelta(hours=6, minutes=10))
    await group.expect_no_message(within=0.8)
    bot.services.clock.advance(timedelta(hours=2))
    reminder = await group.next_message()
    assert f"#{ref}" in reminder.plain_text and "Pengingat" in reminder.plain_text


async def test_fixed_then_rated(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    store = bot.services.store
    warga = sandbox.citizen()
    ref, _, _ = await resolved_report(sandbox, store, admin, warga)
    bot.services.clock.advance(timedelta(hours=23))
    await warga.expect_no_message(within=0.6)
    bot.services.clock.advance(timedelta(hours=2))
    question = await warga.next_message()
    assert f"Laporan #{ref}" in question.plain_text and "sudah beres?" in question.plain_text
    await warga.tap("Sudah beres", message=question)
    stars = await warga.next_message()
    assert "ditutup" in stars.plain_text
    assert stars.buttons == ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]  # short enough for a phone's row
    await warga.tap("4⭐", message=stars)
    assert "⭐⭐⭐⭐" in (await warga.next_edit(stars)).plain_text
    assert (await store.reports.get(ref)).status == "closed"
    assert await store.surveys.rating(ref) == (True, 4)


async def test_not_fixed_reopens_and_alerts_the_group(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    store = bot.services.store
    warga = sandbox.citizen()
    neighbour = sandbox.citizen(started=True)
    ref, group, resolved = await resolved_report(sandbox, store, admin, warga)
    await bot.services.cases.follow(ref, neighbour.user_id)
    await warga.tap("Belum beres", message=resolved)  # straight from the follow-up
    asked = await warga.next_message()
    assert "dibuka lagi" in asked.plain_text and "Lewati" in asked.buttons
    card = await next_alert(group)
    assert f"Laporan #{ref}" in card.plain_text and "♻️ Dibuka lagi" in card.plain_text
    assert "oleh pelapor" in card.plain_text and "👀 Terima" in card.buttons
    reopened = await neighbour.next_message()
    assert f"Laporan #{ref}" in reopened.plain_text and "yang Anda ikuti" in reopened.plain_text
    assert "dibuka lagi: pelapor menyatakan masalahnya belum beres" in reopened.plain_text
    await warga.send("Airnya naik lagi sejak subuh")
    assert "dikirim ke petugas" in (await warga.next_message()).plain_text
    assert "Airnya naik lagi sejak subuh" in (await group.next_edit(card)).plain_text
    assert "Airnya naik lagi" in (await neighbour.next_message()).plain_text
    report = await store.reports.get(ref)
    assert report.status == "reopened" and report.reminded_at is None
    assert await store.drafts.get(warga.user_id) is None  # the note did not start a report


async def test_unanswered_resolved_reports_close_and_followers_hear(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    store = bot.services.store
    warga = sandbox.citizen()
    neighbour = sandbox.citizen(started=True)
    ref, _, _ = await resolved_report(sandbox, store, admin, warga)
    await bot.services.cases.follow(ref, neighbour.user_id)
    bot.services.clock.advance(timedelta(days=7, hours=1))
    closed = await warga.next_message()
    if "sudah beres?" in closed.plain_text:  # the survey, if it went out before the closing
        closed = await warga.next_message()
    assert f"Laporan #{ref}" in closed.plain_text
    assert "ditutup karena tidak ada keberatan" in closed.plain_text
    assert "Kirim laporan baru" in closed.plain_text
    told = await neighbour.next_message()
    assert "yang Anda ikuti ditutup karena tidak ada keberatan" in told.plain_text
    assert (await store.reports.get(ref)).status == "closed"
