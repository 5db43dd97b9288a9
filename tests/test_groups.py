"""Reports reach the responsible kelurahan group, and its officers act from the alert."""

from __future__ import annotations

import re

from storage.groups import Scope
from tests.helpers import BANDUNG, KOTA_TUA, MONAS, file_report, jpeg, map_link, osm

GAMBIR = Scope("kelurahan", "3173080003")
PINANGSIA = Scope("kelurahan", "3174060008")


async def linked_group(sandbox, store, admin, *scopes, title="Kelurahan Gambir"):
    group = sandbox.group(title=title)
    group.add_member(admin, status="administrator")
    await store.groups.link(group.chat_id, list(scopes), title, admin.user_id)
    return group


CARD = re.compile(r"^🚨 (?:Laporan|Report) #(\d+)")
MORE_PHOTOS = re.compile(r"📷 (?:Foto|Photo) 1 (?:dari|of) (\d+)")


async def next_alert_parts(group):
    """An alert as the group sees it: its card (the report's first photo with the card as its
    caption, or a text card when there is none), then, when the card says more follow ("📷
    Foto 1 dari 3"), the report's other photos, which reply to it."""
    card = await group.next_message()
    assert CARD.match(card.plain_text), group.transcript()
    more = MORE_PHOTOS.search(card.plain_text)
    rest = []
    while more and len(rest) < int(more.group(1)) - 1:
        photo = await group.next_message()
        assert photo.reply_to_message_id == card.message_id, group.transcript()
        rest.append(photo)
    return card, rest


async def next_alert(group):
    """The next alert's card (its other photos read past, see :func:`next_alert_parts`)."""
    card, _ = await next_alert_parts(group)
    return card


async def resolve_from(group, officer, card, *, photo=None, caption=None, reason=None):
    """``officer`` presses ✅ Selesai on ``card`` and answers the question it asks: with an
    "after" photo (the default), or, where the category allows it, ⏭️ Tanpa foto and
    ``reason``. Returns the question, which now says how it ended."""
    await group.tap(officer, "Selesai", message=card)
    question = await group.next_message()
    if reason is None:
        await group.reply_photo_to(question, officer, photo or jpeg(99), caption=caption)
    else:
        await group.tap(officer, "Tanpa foto", message=question)
        await group.next_edit(question)
        await group.reply_to(question, officer, reason)
    return await group.next_edit(question)


async def test_link_rules(sandbox, bot, store, admin):
    group = sandbox.group(title="Kelurahan Gambir")
    lurah = sandbox.citizen(first_name="Lurah")
    group.add_member(lurah, status="administrator")
    group.add_member(admin, status="member")
    await group.send(lurah, "/link Gambir")
    assert "Hanya admin WargaLapor" in (await group.next_message()).plain_text
    await group.send(admin, "/link Gambir")
    picker = await group.next_message()
    assert picker.buttons == [
        "Kel. Gambir (Kec. Gambir)",
        "Kec. Gambir, Jakarta Pusat (6 kelurahan)",
    ]
    answer = await group.tap(lurah, "Kel. Gambir", message=picker)
    assert answer.show_alert and "Hanya admin" in answer.text
    await group.tap(admin, "Kel. Gambir", message=picker)
    assert "kini menerima laporan dari Kel. Gambir" in (await group.next_message()).plain_text
    await group.send(admin, "/link Jakarta Pusat")
    assert "Jakarta Pusat (44 kelurahan)" in (await group.next_message()).plain_text
    await group.send(admin, "/link kec. gambir")
    assert "Kec. Gambir" in (await group.next_message()).plain_text
    await group.send(lurah, "/area")
    covered = await group.next_message()
    assert "Kel. Gambir" in covered.plain_text and "Jakarta Pusat" in covered.plain_text
    links = {link.scope for link in await store.groups.links_of(group.chat_id)}
    assert links == {GAMBIR, Scope("kecamatan", "Gambir"), Scope("kota", "Jakarta Pusat")}
    await group.send(admin, "/link Atlantis")
    assert "tidak ditemukan" in (await group.next_message()).plain_text
    await group.send(admin, "/link kebon")
    suggestions = await group.next_message()
    assert len(suggestions.buttons) >= 2 and all("Kebon" in b for b in suggestions.buttons)
    await group.send(lurah, "/unlink")
    assert "Hanya admin" in (await group.next_message()).plain_text
    await group.send(admin, "/unlink")
    assert "3 tautan dihapus" in (await group.next_message()).plain_text
    assert await store.groups.links_of(group.chat_id) == []
    await admin.send("/link Gambir")
    assert "grup kelurahan" in (await admin.next_message()).plain_text


async def test_a_report_at_monas_alerts_gambir_and_jakarta_pusat_groups_only(
    sandbox, bot, store, admin, admins_group
):
    gambir = await linked_group(sandbox, store, admin, GAMBIR)
    pusat = await linked_group(
        sandbox, store, admin, Scope("kota", "Jakarta Pusat"), title="Jakarta Pusat"
    )
    pinangsia = await linked_group(sandbox, store, admin, PINANGSIA, title="Pinangsia")
    warga = sandbox.citizen()
    ref = await file_report(
        warga, photos=2, description="Air setinggi lutut <sejak> pagi & terus naik"
    )
    photos = await store.reports.photos(ref)
    for group in (gambir, pusat):
        card, rest = await next_alert_parts(group)  # one message, and the second photo under it
        assert card.kind == "photo" and card.photo == photos[0].file_id
        assert [m.kind for m in rest] == ["photo"] and rest[0].photo == photos[1].file_id
        assert rest[0].reply_to_message_id == card.message_id
        assert f"Foto lain laporan #{ref}" in rest[0].plain_text
        assert "📷 Foto 1 dari 2; sisanya di balasan kartu ini" in card.plain_text
        assert map_link(card) == osm(*MONAS) and "🗺️ Buka peta" in card.plain_text
        assert "🕒 Dilaporkan " in card.plain_text and " WIB" in card.plain_text
        assert "⏱️ Batas SLA " in card.plain_text and "lewat SLA" not in card.plain_text
        assert f"Laporan #{ref}" in card.plain_text and "🌊 Banjir" in card.plain_text
        assert "Air setinggi lutut <sejak> pagi & terus naik" in card.plain_text
        assert "Kel. Gambir, Kec. Gambir, Jakarta Pusat" in card.plain_text
        assert card.buttons == ["👀 Terima", "🔧 Kerjakan", "✅ Selesai", "⛔ Tolak", "🔁 Duplikat"]
    await pinangsia.expect_no_message(within=0.5)
    await admins_group.expect_no_message(within=0.1)
    assert not sandbox.calls_to("sendVenue") and not sandbox.calls_to("sendLocation")
    for group in (gambir, pusat):
        assert await store.alerts.card(ref, group.chat_id) is not None
    assert await store.alerts.card(ref, pinangsia.chat_id) is None


async def test_kota_tua_goes_to_pinangsia(sandbox, bot, store, admin):
    pinangsia = await linked_group(sandbox, store, admin, PINANGSIA, title="Pinangsia")
    warga = sandbox.citizen()
    ref = await file_report(warga, where=KOTA_TUA, photos=0, category="Banjir")
    card = await next_alert(pinangsia)  # no photo: a text card, with the map link
    assert card.kind == "text" and f"Laporan #{ref}" in card.plain_text
    assert map_link(card) == osm(*KOTA_TUA)
    assert "Kel. Pinangsia, Kec. Taman Sari, Jakarta Barat" in card.plain_text


async def test_outside_and_uncovered_reports_go_to_the_admins(sandbox, bot, store, admins_group):
    warga = sandbox.citizen()
    outside = await file_report(warga, where=BANDUNG, photos=0)
    card = await next_alert(admins_group)
    assert f"#{outside}" in card.plain_text and "Di luar wilayah layanan" in card.plain_text
    uncovered = await file_report(warga, photos=1, description="Got mampet di depan pasar")
    card = await next_alert(admins_group)
    assert f"#{uncovered}" in card.plain_text
    assert "Belum ada grup untuk Kel. Gambir" in card.plain_text


async def officer_for(sandbox, store, admin, scope=GAMBIR, name="Budi"):
    """An officer registered through a real invite link."""
    officer = sandbox.citizen(first_name=name)
    await admin.send(f"/invite {store_scope_query(scope)}")
    created = await admin.next_message()
    link = next(word for word in created.plain_text.split() if word.startswith("https://t.me/"))
    await officer.send("/start " + link.split("start=")[1])
    assert "terdaftar sebagai petugas" in (await officer.next_message()).plain_text
    return officer


def store_scope_query(scope: Scope) -> str:
    return scope.key if scope.kind == "kelurahan" else f"kec. {scope.key}"


async def test_officer_moves_a_report_through_its_statuses(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    group.add_member(officer)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)

    answer = await group.tap(officer, "Terima", message=card)
    assert "Diterima" in answer.text
    card = await group.next_edit(card)
    assert "Status: 👀 Diterima" in card.plain_text and "oleh Budi" in card.plain_text
    assert "👀 Terima" not in card.buttons and "🔧 Kerjakan" in card.buttons
    followup = await warga.next_message()
    assert f"Laporan #{ref}" in followup.plain_text
    assert "sudah diterima petugas Kelurahan Gambir" in followup.plain_text
    assert "Kami kabari lagi saat mulai dikerjakan" in followup.plain_text
    assert "Kec. Gambir" not in followup.plain_text  # a unit, not an address line
    assert "Budi" not in followup.plain_text

    await group.tap(officer, "Kerjakan", message=card)
    card = await group.next_edit(card)
    assert "🔧 Dikerjakan" in card.plain_text
    assert "sedang dikerjakan petugas Kelurahan Gambir" in (await warga.next_message()).plain_text

    await group.tap(officer, "Selesai", message=card)
    ask_photo = await group.next_message()  # the proof first: nothing changes yet
    assert "foto “sesudah” laporan" in ask_photo.plain_text and "Budi" in ask_photo.plain_text
    assert ask_photo.reply_to_message_id == card.message_id
    assert ask_photo.buttons == ["⏭️ Tanpa foto", "✖️ Batal"]
    await warga.expect_no_message(within=0.5)
    assert (await store.reports.get(ref)).status == "in_progress"
    await group.reply_photo_to(ask_photo, officer, jpeg(42), caption="Saluran sudah bersih")
    answered = await group.next_edit(ask_photo)
    assert f"Laporan #{ref} selesai oleh Budi" in answered.plain_text and answered.buttons == []
    card = await group.next_edit(card)
    assert "Status: ✅ Selesai" in card.plain_text and card.buttons == []
    assert "💬 Saluran sudah bersih" in card.plain_text
    after = await warga.next_message()  # one message: the news with the photo
    assert after.kind == "photo" and f"#{ref}" in after.plain_text
    assert "sudah diselesaikan petugas" in after.plain_text
    assert "Saluran sudah bersih" in after.plain_text
    await warga.expect_no_message(within=0.3)
    await group.expect_no_message(within=0.1)
    report = await store.reports.get(ref)
    assert report.status == "resolved" and report.resolved_at and report.acknowledged_at
    photos = await store.reports.photos(ref)
    assert [p.role for p in photos] == ["citizen", "resolution"]
    events = await store.reports.events(ref)
    assert [e.new_status for e in events] == ["new", "acknowledged", "in_progress", "resolved"]
    assert events[-1].photo_file_id == photos[1].file_id
    assert {e.actor_name for e in events[1:]} == {"Budi"}


async def test_strangers_and_group_admins(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    stranger = sandbox.citizen(first_name="Orang")
    ketua_rw = sandbox.citizen(first_name="Ketua RW")
    group.add_member(stranger)
    group.add_member(ketua_rw, status="administrator")
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    answer = await group.tap(stranger, "Terima", message=card)
    assert answer.show_alert and "Hanya petugas Kel. Gambir" in answer.text
    await group.expect_no_message(within=0.3)
    assert (await store.reports.get(ref)).status == "new"
    await group.press(stranger, card, callback_data=f"st:{ref}:res")
    assert (await store.reports.get(ref)).status == "new"
    answer = await group.tap(ketua_rw, "Terima", message=card)
    assert "Diterima" in answer.text
    assert (await store.reports.get(ref)).status == "acknowledged"
    await group.reply_to(card, stranger, "Saya juga lihat")
    assert "Hanya petugas" in (await group.next_message()).plain_text


async def test_old_alert_presses_refresh_the_card(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    original = card.original
    await group.tap(admin, "Kerjakan", message=card)
    await group.next_edit(card)
    answer = await group.press(admin, card, callback_data=original.inline_buttons[0][1])
    assert answer.show_alert and "tidak bisa lagi" in answer.text
    answer = await group.press(admin, card, callback_data=f"st:{ref}:prog")
    assert "sudah berstatus" in answer.text
    assert (await store.reports.get(ref)).status == "in_progress"
    assert len([m for m in group.messages if f"Laporan #{ref}" in m.plain_text]) == 1
    answer = await group.press(admin, card, callback_data="st:99999:ack")
    assert "tidak berlaku" in answer.text


async def test_reject_needs_a_reason(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    await group.tap(admin, "Tolak", message=card)
    question = await group.next_message()
    assert "alasan menolak laporan" in question.plain_text
    assert question.buttons == ["✖️ Batal"]  # replying is how it is answered
    assert (await store.reports.get(ref)).status == "new"
    await group.reply_photo_to(question, admin, jpeg(3))
    assert "Alasannya perlu ditulis" in (await group.next_message()).plain_text
    await group.reply_to(question, admin, "Bukan wewenang kelurahan, sudah diteruskan ke PLN")
    answered = await group.next_edit(question)  # the question becomes its outcome
    assert f"Laporan #{ref} ditolak: Bukan wewenang" in answered.plain_text
    assert answered.buttons == []
    followup = await warga.next_message()
    assert "ditolak petugas Kelurahan Gambir" in followup.plain_text
    assert "Alasan: Bukan wewenang kelurahan, sudah diteruskan ke PLN" in followup.plain_text
    assert "Kirim laporan baru dengan /report" in followup.plain_text
    assert (await store.reports.get(ref)).status == "rejected"


async def test_duplicate_asks_for_the_original_and_moves_the_reporter(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    first, second = sandbox.citizen(first_name="Siti"), sandbox.citizen(first_name="Ani")
    original = await file_report(first)
    await next_alert(group)
    copy = await file_report(
        second, where=(-6.1800, 106.8272), description="Banjir di depan stasiun Gambir"
    )
    card = await next_alert(group)
    await group.tap(admin, "Duplikat", message=card)
    question = await group.next_message()
    await group.reply_to(question, admin, "nomor berapa ya")
    assert "bukan laporan lain" in (await group.next_message()).plain_text
    await group.reply_to(question, admin, f"#{copy}")
    assert "bukan laporan lain" in (await group.next_message()).plain_text
    await group.reply_to(question, admin, f"#{original}")
    proposal = await group.next_edit(question)  # the original shown, to confirm
    assert f"tandai laporan #{copy} sebagai duplikat" in proposal.plain_text
    assert f"#{original} · 🌊 Banjir" in proposal.plain_text
    assert "📍 Kel. Gambir" in proposal.plain_text and "Status: 🆕 Baru" in proposal.plain_text
    assert proposal.buttons == [f"✅ Ya, duplikat #{original}", "✖️ Batal"]
    assert (await store.reports.get(copy)).status == "new"
    await group.tap(admin, "Ya, duplikat", message=proposal)
    done = await group.next_edit(question)
    assert f"duplikat dari #{original}" in done.plain_text and done.buttons == []
    followup = await second.next_message()
    assert f"sama dengan laporan #{original}" in followup.plain_text
    assert f"Anda kini mengikuti #{original}" in followup.plain_text
    assert second.user_id in await store.reports.followers(original)
    assert (await store.reports.get(original)).supporters == 1
    assert (await store.reports.get(copy)).duplicate_of == original


async def test_officer_notes_reach_the_reporter(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    group.add_member(officer)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    await group.reply_to(card, officer, "Tim pompa <Dinas SDA> menuju lokasi")
    assert "Catatan ditambahkan" in (await group.next_message()).plain_text
    note = await warga.next_message()
    assert "Tim pompa <Dinas SDA> menuju lokasi" in note.plain_text
    assert f"#{ref}" in note.plain_text
    assert (await store.reports.get(ref)).status == "new"


async def test_an_officer_moves_a_report_to_the_right_kelurahan(sandbox, bot, store, admin):
    gambir = await linked_group(sandbox, store, admin, GAMBIR)
    pinangsia = await linked_group(sandbox, store, admin, PINANGSIA, title="Pinangsia")
    officer = await officer_for(sandbox, store, admin)
    gambir.add_member(officer)
    pinangsia.add_member(officer)
    stranger = sandbox.citizen()
    pinangsia.add_member(stranger)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    await next_alert(gambir)
    await pinangsia.send(stranger, f"/move {ref} Pinangsia")
    assert "Hanya petugas Kel. Gambir" in (await pinangsia.next_message()).plain_text
    await gambir.send(officer, f"/move {ref} Pinangsia")
    assert "dipindahkan ke Kel. Pinangsia" in (await gambir.next_message()).plain_text
    moved_card = await next_alert(pinangsia)
    assert f"Laporan #{ref}" in moved_card.plain_text
    assert "Kel. Pinangsia" in moved_card.plain_text or "Diteruskan" in moved_card.plain_text
    told = await warga.next_message()
    assert "Diteruskan ke Kel. Pinangsia" in told.plain_text
    assert (await store.reports.get(ref)).area_code == PINANGSIA.key
    await gambir.send(officer, f"/move {ref} Gambir")  # no longer theirs to move
    assert "Hanya petugas Kel. Pinangsia" in (await gambir.next_message()).plain_text
    await gambir.send(admin, f"/move {ref} Pinangsia")
    assert "sudah berada" in (await gambir.next_message()).plain_text
    await gambir.send(officer, "/move abc")
    assert "/move 1042 Pinangsia" in (await gambir.next_message()).plain_text
