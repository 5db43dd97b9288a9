"""Admins announce to citizens and groups: composing, audiences, preview, schedule, opt-out,
cancel, and a crash midway that neither skips nor repeats a recipient."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta

from bot.outbox.pacing import broadcast_concurrency
from storage.groups import Scope
from storage.store import Store
from tests.conftest import spawn_bot
from tests.helpers import KOTA_TUA, file_report
from tests.test_groups import GAMBIR, PINANGSIA, linked_group

FAST = {"OUTBOX_POLL_SECONDS": "0.3", "QUIET_HOURS": "off"}
WARNING = "<b>Peringatan banjir</b>: Pintu Air Manggarai Siaga 1. Hindari Jl. Casablanca."


async def registered(sandbox, count):
    """Citizens who have talked to the bot (and so are in the citizens table)."""
    people = []
    for _ in range(count):
        person = sandbox.citizen()
        await person.send("/start")
        await person.next_message()
        people.append(person)
    return people


def deliveries(sandbox, text):
    return [
        c
        for c in sandbox.world.calls
        if c.method.lower() in ("sendmessage", "sendphoto")
        and c.status == 200
        and text in str(c.params.get("text") or c.params.get("caption") or "")
    ]


async def until_finished(sandbox, admin, count=1):
    """Wait for the ``count``-th broadcast's final summary in the admin's chat: its progress
    message, sent by the scheduler, could otherwise arrive in the middle of the next /broadcast."""
    done = await sandbox.world.wait_for(
        lambda: sum("selesai: terkirim" in m.plain_text for m in admin.messages) >= count, 10
    )
    assert done, admin.transcript()


async def compose(admin, text=WARNING, audience="Semua warga"):
    await admin.send("/broadcast")
    await admin.next_message()
    await admin.send(text)
    preview = await admin.next_message()
    picker = await admin.next_message()
    await admin.tap(audience, message=picker)
    return preview


async def test_only_admins_broadcast(sandbox, bot, admin):
    citizen = sandbox.citizen()
    await citizen.send("/broadcast")
    assert "Hanya admin" in (await citizen.next_message()).plain_text
    await citizen.send("/broadcasts")
    assert "Hanya admin" in (await citizen.next_message()).plain_text
    await citizen.send("/start")
    welcome = await citizen.next_message()
    answer = await citizen.press(welcome, callback_data="bc:now")
    assert answer.show_alert and "Hanya admin" in answer.text


async def test_announcement_to_all_citizens_with_preview_and_progress(sandbox, make_bot, admin):
    await make_bot(**FAST)
    people = await registered(sandbox, 4)
    preview = await compose(admin)
    assert preview.text == WARNING and preview.kind == "text"  # exactly what recipients get
    confirm = await admin.next_message()
    assert "Semua warga" in confirm.plain_text or "semua warga" in confirm.plain_text
    assert "Akan dikirim ke 5 warga." in confirm.plain_text  # four citizens and the admin
    assert "chat" not in confirm.plain_text
    await admin.tap("Kirim sekarang", message=confirm)
    for person in people:
        received = await person.next_message(timeout=5)
        assert received.text == WARNING
    summary = None
    for _ in range(6):
        message = await admin.next_message(timeout=8)
        if "selesai: terkirim" in message.plain_text:
            summary = message
            break
    assert summary is not None and "terkirim 5" in summary.plain_text
    assert len(deliveries(sandbox, "Pintu Air Manggarai")) == 1 + 5  # the preview + 5


async def test_invalid_html_is_reported_before_sending(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    await admin.send("/broadcast")
    await admin.next_message()
    await admin.send("<b>Awas banjir")
    refusal = await admin.next_message()
    assert "tag <b> belum ditutup dengan </b>" in refusal.plain_text  # in the admin's words
    assert "parse" not in refusal.plain_text and "Kirim apa adanya" in refusal.buttons[0]
    assert not [c for c in sandbox.world.calls if c.status == 400]  # never tried on Telegram
    draft = await bot.services.store.broadcast_drafts.get(admin.user_id)
    assert draft.step == "plain"
    await admin.send("<b>Awas</b> banjir")
    await admin.next_message()  # the preview
    assert "Kirim ke siapa" in (await admin.next_message()).plain_text


async def test_citizens_of_an_area_and_groups_of_an_area(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    store = bot.services.store
    gambir_warga, kota_tua_warga = sandbox.citizen(), sandbox.citizen()
    await file_report(gambir_warga)
    await file_report(kota_tua_warga, where=KOTA_TUA)
    gambir_group = await linked_group(sandbox, store, admin, GAMBIR)
    pusat_group = await linked_group(
        sandbox, store, admin, Scope("kota", "Jakarta Pusat"), title="Jakarta Pusat"
    )
    pinangsia_group = await linked_group(sandbox, store, admin, PINANGSIA, title="Pinangsia")
    await compose(admin, "Kerja bakti Minggu pagi di Gambir", "Warga yang melapor")
    await admin.next_message()  # "name the area"
    await admin.send("kec. Gambir")
    days = await admin.next_message()
    await admin.tap("90 hari", message=days)
    confirm = await admin.next_message()
    assert "Akan dikirim ke 1 warga." in confirm.plain_text
    await admin.tap("Kirim sekarang", message=confirm)
    assert "Kerja bakti" in (await gambir_warga.next_message(timeout=5)).plain_text
    await kota_tua_warga.expect_no_message(within=1.0)
    await until_finished(sandbox, admin)

    await compose(admin, "Penutupan Jl. Medan Merdeka Barat", "Grup di wilayah")
    await admin.next_message()
    await admin.send("Kel. Gambir")
    confirm = await admin.next_message()
    assert "Akan dikirim ke 2 grup." in confirm.plain_text  # the kelurahan's group, its kota's
    await admin.tap("Kirim sekarang", message=confirm)
    for group in (gambir_group, pusat_group):
        await sandbox.world.wait_for(
            lambda g=group: any("Penutupan" in m.plain_text for m in g.messages), 5
        )
    assert not any("Penutupan" in m.plain_text for m in pinangsia_group.messages)


async def test_scheduled_announcement_waits_for_its_time(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    [person] = await registered(sandbox, 1)
    await compose(admin, "Pemadaman listrik besok pukul 09.00")
    confirm = await admin.next_message()
    await admin.tap("Jadwalkan", message=confirm)
    await admin.next_message()
    local = bot.services.clock.now().astimezone(bot.settings.tz) + timedelta(hours=2)
    await admin.send(local.strftime("%d/%m/%Y %H:%M"))
    assert "dijadwalkan" in (await admin.next_message()).plain_text
    await person.expect_no_message(within=1.5)
    await admin.send("/broadcasts")
    listing = await admin.next_message()
    assert "terjadwal" in listing.plain_text and any("Batalkan" in b for b in listing.buttons)
    bot.services.clock.advance(timedelta(hours=2, minutes=1))
    assert "Pemadaman listrik" in (await person.next_message(timeout=5)).plain_text


async def test_cancelling_a_scheduled_announcement(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    [person] = await registered(sandbox, 1)
    await compose(admin, "Pengumuman yang batal dikirim")
    await admin.tap("Jadwalkan", message=await admin.next_message())
    await admin.next_message()
    await admin.send("31/12/2099 07:00")
    await admin.next_message()
    await admin.send("/broadcasts")
    listing = await admin.next_message()
    await admin.tap("Batalkan", message=listing)
    assert "dibatalkan" in (await admin.next_message()).plain_text
    bot.services.clock.advance(timedelta(days=365 * 80))
    await person.expect_no_message(within=1.5)


async def test_stop_and_start_announcements(sandbox, make_bot, admin):
    await make_bot(**FAST)
    quiet, keen = await registered(sandbox, 2)
    await quiet.send("/stop")
    assert "tidak akan menerima pengumuman" in (await quiet.next_message()).plain_text
    await compose(admin, "Pengumuman pertama untuk warga")
    await admin.tap("Kirim sekarang", message=await admin.next_message())
    assert "Pengumuman pertama" in (await keen.next_message(timeout=5)).plain_text
    await quiet.expect_no_message(within=1.0)
    await quiet.send("/start")
    assert "dinyalakan lagi" in (await quiet.next_message()).plain_text
    await until_finished(sandbox, admin)
    await compose(admin, "Pengumuman kedua untuk warga")
    await admin.tap("Kirim sekarang", message=await admin.next_message())
    assert "Pengumuman kedua" in (await quiet.next_message(timeout=5)).plain_text


async def _spawn(sandbox, database, admin):
    return await spawn_bot(
        sandbox,
        database,
        errors=asyncio.subprocess.DEVNULL,
        ADMIN_USER_IDS=str(admin.user_id),
        BROADCAST_RATE="10",
        OUTBOX_POLL_SECONDS="0.5",
        QUIET_HOURS="off",
    )


async def test_a_crash_midway_resumes_without_skipping_or_repeating(sandbox, tmp_path, admin):
    database = tmp_path / "w.sqlite3"
    people = [sandbox.citizen(started=True) for _ in range(40)]
    store = await Store.open(database)
    for person in [*people, admin]:
        await store.citizens.ensure(person.user_id, person.chat_id, "id")
    await store.close()
    process = await _spawn(sandbox, database, admin)
    try:
        text = "Siaga banjir malam ini di seluruh Jakarta"
        await admin.send("/broadcast")
        await admin.next_message(timeout=20)
        await admin.send(text)
        await admin.next_message()
        await admin.tap("Semua warga", message=await admin.next_message())
        await admin.tap("Kirim sekarang", message=await admin.next_message())
        await sandbox.world.wait_for(lambda: len(deliveries(sandbox, text)) >= 1 + 12, 20)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        before = len(deliveries(sandbox, text)) - 1
        assert 12 <= before < 41
        process = await _spawn(sandbox, database, admin)
        await sandbox.world.wait_for(
            lambda: any("selesai: terkirim" in m.plain_text for m in admin.messages), 30
        )
        per_chat = {}
        for call in deliveries(sandbox, text):
            per_chat[call.chat_id] = per_chat.get(call.chat_id, 0) + 1
        recipients = {p.chat_id for p in people} | {admin.chat_id}
        assert set(per_chat) == recipients  # nobody skipped
        per_chat[admin.chat_id] -= 1  # the admin also got the preview
        assert max(per_chat.values()) <= 2  # a repeat is a send that was in flight ...
        repeats = sum(n - 1 for n in per_chat.values())
        assert repeats <= broadcast_concurrency(25)  # ... and only so many fly at once
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def test_a_far_away_telegram_gets_several_sends_in_flight(sandbox, make_bot, admin):
    """With each call taking 300 ms (Jakarta to Telegram), one send at a time would manage about
    3 a second; the broadcast keeps several in flight and everyone still gets it exactly once."""
    bot = await make_bot(**FAST)
    people = [sandbox.citizen(started=True) for _ in range(30)]
    for person in people:
        await bot.services.store.citizens.ensure(person.user_id, person.chat_id, "id")
    await compose(admin)
    confirm = await admin.next_message()
    sandbox.faults.latency = 0.3
    await admin.tap("Kirim sekarang", message=confirm)
    await sandbox.world.wait_for(lambda: len(deliveries(sandbox, WARNING)) >= 1 + 31, 20)
    received = [call.chat_id for call in deliveries(sandbox, WARNING)]
    assert sorted(received) == sorted([admin.chat_id] * 2 + [p.chat_id for p in people])
    assert sandbox.api.most_in_flight["sendmessage"] >= 3


async def announce_to_many(sandbox, bot, admin, count):
    """``count`` citizens, and the admin's announcement to all of them sent off."""
    people = [sandbox.citizen(started=True) for _ in range(count)]
    for person in people:
        await bot.services.store.citizens.ensure(person.user_id, person.chat_id, "id")
    await compose(admin)
    confirm = await admin.next_message()
    await admin.tap("Kirim sekarang", message=confirm)
    return people


async def everyone_gets_it_once(sandbox, admin, people):
    everyone = 1 + 1 + len(people)  # the preview, the admin, the citizens
    assert await sandbox.world.wait_for(lambda: len(deliveries(sandbox, WARNING)) >= everyone, 30)
    received = sorted(call.chat_id for call in deliveries(sandbox, WARNING))
    assert received == sorted([admin.chat_id] * 2 + [p.chat_id for p in people])


async def test_stopping_mid_broadcast_stops_soon_and_the_rest_goes_after_the_restart(
    sandbox, make_bot, admin
):
    """A stop (SIGTERM, a deploy) waits only for the page being sent, not for a whole queued
    broadcast; what was not sent yet goes once the bot is back, to everyone exactly once."""
    bot = await make_bot(**FAST, BROADCAST_RATE="20")
    people = await announce_to_many(sandbox, bot, admin, 120)
    await sandbox.world.wait_for(lambda: len(deliveries(sandbox, WARNING)) >= 1 + 10, 20)
    started = asyncio.get_running_loop().time()
    await bot.stop()
    stopped_in = asyncio.get_running_loop().time() - started
    sent_before = len(deliveries(sandbox, WARNING))
    assert sent_before < 1 + 121  # the stop came in the middle of it
    assert stopped_in < 8, f"the stop waited {stopped_in:.1f} s for the broadcast"
    await bot.start()
    await everyone_gets_it_once(sandbox, admin, people)


async def test_a_paid_broadcast_stopped_midway_leaves_no_row_in_flight(sandbox, make_bot, admin):
    """Above Telegram's rates the next page is claimed while the last sends of a page go out:
    a stop then gives that page back, so nothing is left 'sending' for a restart to guess at,
    and after the restart everyone gets the announcement exactly once."""
    bot = await make_bot(**FAST, paid_rate=200.0)
    people = await announce_to_many(sandbox, bot, admin, 900)
    # Pages of 200 (a second at 200/s); the next is taken with 40 of a page to go (0.2 s), so
    # stopping at the second page's 170th send stops with the third page claimed.
    await sandbox.world.wait_for(lambda: len(deliveries(sandbox, WARNING)) >= 1 + 200 + 170, 30)
    await bot.stop()
    sent_before = len(deliveries(sandbox, WARNING))
    assert sent_before < 1 + 901  # the stop came in the middle of it
    store = await Store.open(bot.settings.database, migrate=False)
    try:
        rows = await store.db.fetchall(
            "SELECT state, COUNT(*) AS n FROM outbox WHERE broadcast_id IS NOT NULL GROUP BY state"
        )
    finally:
        await store.close()
    states = {row["state"]: row["n"] for row in rows}
    assert "sending" not in states, states
    assert states["sent"] == sent_before - 1  # every send that went out is recorded
    await bot.start()
    await everyone_gets_it_once(sandbox, admin, people)
