"""A citizen withdraws their own report while no officer has taken it up ("🚫 Batalkan laporan"):
the reason is in the history, the card loses its buttons and says so, the officers get a notice,
followers a follow-up, Open311 reads it closed. After an acknowledgement the button is gone and
a stale press changes nothing. "📎 Kiriman saya" shows the reporter everything they sent."""

from __future__ import annotations

import httpx

from bot.http.server import build_app
from tests.helpers import file_report, jpeg
from tests.test_groups import GAMBIR, linked_group, next_alert
from tests.test_open311 import BASE

REASON = "Masalahnya sudah beres"


async def status_answer(warga, ref: int):
    await warga.send(f"/status {ref}")
    return await warga.next_message()


async def test_the_reporter_withdraws_a_new_report(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    neighbour = sandbox.citizen(started=True)
    ref = await file_report(warga)
    card = await next_alert(group)
    await bot.services.cases.follow(ref, neighbour.user_id)
    await group.next_edit(card)  # "1 warga lain…"

    shown = await status_answer(warga, ref)
    assert "🚫 Batalkan laporan" in shown.buttons
    await warga.tap("Batalkan laporan", message=shown)
    asked = await warga.next_message()
    assert f"Batalkan laporan #{ref}?" in asked.plain_text
    assert REASON in asked.buttons and "↩️ Jangan batalkan" in asked.buttons
    await warga.tap(REASON, message=asked)
    confirm = await warga.next_edit(asked)
    assert "Yakin membatalkan" in confirm.plain_text and REASON in confirm.plain_text
    assert (await store.reports.get(ref)).status == "new"  # nothing before the confirmation
    await warga.tap("Ya, batalkan", message=asked)
    done = await warga.next_edit(asked)
    assert f"Laporan #{ref} dibatalkan" in done.plain_text and done.buttons == []

    report = await store.reports.get(ref)
    assert report.status == "withdrawn" and report.acknowledged_at is None
    last = (await store.reports.events(ref))[-1]
    assert (last.actor_kind, last.actor_id, last.old_status, last.new_status, last.note) == (
        "citizen",
        warga.user_id,
        "new",
        "withdrawn",
        REASON,
    )

    # The officers: the card says so without buttons, and a notice under it.
    edited = await group.next_edit(card)
    assert "🚫 Dibatalkan pelapor" in edited.plain_text and REASON in edited.plain_text
    assert edited.buttons == []
    notice = await group.next_message()
    assert notice.reply_to_message_id == card.message_id
    assert f"Laporan #{ref} dibatalkan pelapor" in notice.plain_text
    assert REASON in notice.plain_text and "Tidak perlu ditindaklanjuti" in notice.plain_text

    # The follower is told; Open311 reads it closed, with a note saying why.
    told = await neighbour.next_message()
    assert f"#{ref}" in told.plain_text and "dibatalkan oleh pelapornya" in told.plain_text
    app = build_app(bot.services, polling=lambda: True, application=bot.app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as api:
        [request] = (await api.get(f"{BASE}/requests/{ref}.json")).json()
    assert request["status"] == "closed"
    assert request["status_notes"] == "Withdrawn by the reporter before it was taken up"

    # Withdrawn is final: no button on /status any more, and the old one is stale.
    again = await status_answer(warga, ref)
    assert "🚫 Dibatalkan pelapor" in again.plain_text
    assert not any("Batalkan" in label for label in again.buttons)
    stale = await warga.tap("Batalkan laporan", message=shown)
    assert stale is not None and stale.show_alert and "tidak bisa dibatalkan" in stale.text


async def test_after_acknowledgement_there_is_no_button_and_a_stale_press_changes_nothing(
    sandbox, bot, store, admin
):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    before = await status_answer(warga, ref)  # shown while it was new
    await warga.tap("Batalkan laporan", message=before)
    asked = await warga.next_message()
    await warga.tap(REASON, message=asked)
    await warga.next_edit(asked)  # the confirmation, left open

    await group.tap(admin, "Terima", message=card)
    await group.next_edit(card)
    await warga.next_message()  # the follow-up: accepted

    after = await status_answer(warga, ref)
    assert not any("Batalkan" in label for label in after.buttons)
    assert "📎 Kiriman saya" in after.buttons

    stale = await warga.tap("Ya, batalkan", message=asked)
    assert stale.show_alert and "sudah 👀 Diterima" in stale.text
    assert "tidak bisa dibatalkan lagi" in (await warga.next_edit(asked)).plain_text
    old = await warga.tap("Batalkan laporan", message=before)
    assert old.show_alert and "tidak bisa dibatalkan" in old.text
    assert (await store.reports.get(ref)).status == "acknowledged"
    assert [e.new_status for e in await store.reports.events(ref)] == ["new", "acknowledged"]

    # Someone else pressing the reporter's button (a forwarded message) is refused.
    stranger = sandbox.citizen()
    await stranger.send("/start")
    await stranger.next_message()
    forged = await stranger.press(stranger.last_message, f"withdraw:{ref}:yes-fixed")
    assert forged.show_alert and "Hanya pelapornya" in forged.text
    garbage = await warga.press(after, f"withdraw:{ref}:yes-nonsense")
    assert garbage is not None and not garbage.show_alert
    assert (await store.reports.get(ref)).status == "acknowledged"


async def test_the_reporter_sees_everything_they_sent(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga, photos=2)
    await next_alert(group)
    shown = await status_answer(warga, ref)
    await warga.send("Airnya makin tinggi sore ini", reply_to=shown)
    await warga.next_message()
    await warga.send_photo(jpeg(7), reply_to=shown)
    await warga.next_message()

    await warga.tap("Kiriman saya", message=await status_answer(warga, ref))
    album = [await warga.next_message() for _ in range(3)]
    assert [sandbox.world.files[m.photo].data for m in album] == [jpeg(0), jpeg(1), jpeg(7)]
    words = await warga.next_message()
    assert f"Yang Anda kirim untuk laporan #{ref}" in words.plain_text
    assert "3 foto" in words.plain_text
    assert "Air setinggi lutut" in words.plain_text  # the description
    assert "Airnya makin tinggi sore ini" in words.plain_text  # the addition

    other = sandbox.citizen()
    await other.send("/start")
    await other.next_message()
    refused = await other.press(other.last_message, f"sent:{ref}")
    assert refused.show_alert and "Hanya pelapornya" in refused.text


async def test_a_typed_reason_is_confirmed_and_kept_from_the_followers(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    neighbour = sandbox.citizen(started=True)
    ref = await file_report(warga)
    card = await next_alert(group)
    await bot.services.cases.follow(ref, neighbour.user_id)
    await group.next_edit(card)

    await warga.tap("Batalkan laporan", message=await status_answer(warga, ref))
    asked = await warga.next_message()
    await warga.tap("Alasan lain", message=asked)
    assert "Tulis alasan" in (await warga.next_edit(asked)).plain_text
    await warga.send_photo(jpeg(3))
    assert "sebagai teks" in (await warga.next_message()).plain_text
    typed = "Got-ong royong warga <b>sudah</b> membersihkan saluran tadi pagi"
    await warga.send(typed)
    confirm = await warga.next_message()
    assert "Yakin membatalkan" in confirm.plain_text and typed in confirm.plain_text
    assert (await store.reports.get(ref)).status == "new"
    await warga.tap("Ya, batalkan", message=confirm)
    assert typed in (await warga.next_edit(confirm)).plain_text

    assert (await store.reports.events(ref))[-1].note == typed
    notice = None
    while notice is None or notice.reply_to_message_id != card.message_id:
        notice = await group.next_message()
    assert typed in notice.plain_text  # escaped as text, not markup
    told = await neighbour.next_message()
    assert "dibatalkan oleh pelapornya" in told.plain_text and "royong" not in told.plain_text
