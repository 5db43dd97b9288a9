"""Reports reach the responsible kelurahan group, and its officers act from the alert."""

from __future__ import annotations

from storage.groups import Scope
from tests.helpers import BANDUNG, KOTA_TUA, MONAS, file_report, jpeg

GAMBIR = Scope("kelurahan", "3173080003")
PINANGSIA = Scope("kelurahan", "3174060008")


async def linked_group(sandbox, store, admin, *scopes, title="Kelurahan Gambir"):
    group = sandbox.group(title=title)
    group.add_member(admin, status="administrator")
    await store.groups.link(group.chat_id, list(scopes), title, admin.user_id)
    return group


async def next_alert(group):
    """The alert's messages in order: photos (if any), the map pin, then the card."""
    messages = []
    while True:
        message = await group.next_message()
        messages.append(message)
        if message.kind == "text":
            return messages


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
    for group in (gambir, pusat):
        *photos, pin, card = await next_alert(group)
        assert [m.kind for m in photos] == ["media_group", "media_group"]
        assert pin.kind == "venue" and (pin.lat, pin.lon) == MONAS
        assert f"#{ref}" in pin.raw["venue"]["title"]
        assert f"Laporan #{ref}" in card.plain_text and "🌊 Banjir" in card.plain_text
        assert "Air setinggi lutut <sejak> pagi & terus naik" in card.plain_text
        assert "Kel. Gambir, Kec. Gambir, Jakarta Pusat" in card.plain_text
        assert card.buttons == ["👀 Terima", "🔧 Kerjakan", "✅ Selesai", "⛔ Tolak", "🔁 Duplikat"]
    await pinangsia.expect_no_message(within=0.5)
    await admins_group.expect_no_message(within=0.1)
    for group in (gambir, pusat):
        assert await store.alerts.card(ref, group.chat_id) is not None
    assert await store.alerts.card(ref, pinangsia.chat_id) is None


async def test_kota_tua_goes_to_pinangsia(sandbox, bot, store, admin):
    pinangsia = await linked_group(sandbox, store, admin, PINANGSIA, title="Pinangsia")
    warga = sandbox.citizen()
    ref = await file_report(warga, where=KOTA_TUA, photos=0, category="Banjir")
    pin, card = await next_alert(pinangsia)
    assert pin.kind == "venue" and f"Laporan #{ref}" in card.plain_text
    assert "Kel. Pinangsia, Kec. Taman Sari, Jakarta Barat" in card.plain_text


async def test_outside_and_uncovered_reports_go_to_the_admins(sandbox, bot, store, admins_group):
    warga = sandbox.citizen()
    outside = await file_report(warga, where=BANDUNG, photos=0)
    *_, card = await next_alert(admins_group)
    assert f"#{outside}" in card.plain_text and "Di luar wilayah layanan" in card.plain_text
    uncovered = await file_report(warga, photos=1, description="Got mampet di depan pasar")
    *_, card = await next_alert(admins_group)
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
    *_, card = await next_alert(group)

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
    ask_photo = await group.next_message()
    assert 'foto "sesudah"' in ask_photo.plain_text or "sesudah" in ask_photo.plain_text
    card = await group.next_edit(card)
    assert "✅ Selesai" in card.plain_text and card.buttons == []
    assert "sudah diselesaikan petugas" in (await warga.next_message()).plain_text
    await group.reply_photo_to(ask_photo, officer, jpeg(42))
    assert "Foto ditambahkan" in (await group.next_message()).plain_text
    after = await warga.next_message()
    assert after.kind == "photo" and f"#{ref}" in after.plain_text
    report = await store.reports.get(ref)
    assert report.status == "resolved" and report.resolved_at and report.acknowledged_at
    photos = await store.reports.photos(ref)
    assert [p.role for p in photos] == ["citizen", "resolution"]
    events = await store.reports.events(ref)
    assert [e.new_status for e in events] == [
        "new",
        "acknowledged",
        "in_progress",
        "resolved",
        "resolved",
    ]
    assert {e.actor_name for e in events[1:]} == {"Budi"}


async def test_strangers_and_group_admins(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    stranger = sandbox.citizen(first_name="Orang")
    ketua_rw = sandbox.citizen(first_name="Ketua RW")
    group.add_member(stranger)
    group.add_member(ketua_rw, status="administrator")
    warga = sandbox.citizen()
    ref = await file_report(warga)
    *_, card = await next_alert(group)
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
    *_, card = await next_alert(group)
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
    *_, card = await next_alert(group)
    await group.tap(admin, "Tolak", message=card)
    question = await group.next_message()
    assert "Alasan" in question.plain_text
    assert question.reply_markup.get("force_reply")
    assert (await store.reports.get(ref)).status == "new"
    await group.reply_photo_to(question, admin, jpeg(3))
    assert "Alasannya perlu ditulis" in (await group.next_message()).plain_text
    await group.reply_to(question, admin, "Bukan wewenang kelurahan, sudah diteruskan ke PLN")
    assert "ditolak" in (await group.next_message()).plain_text
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
    *_, card = await next_alert(group)
    await group.tap(admin, "Duplikat", message=card)
    question = await group.next_message()
    await group.reply_to(question, admin, "nomor berapa ya")
    assert "bukan laporan lain" in (await group.next_message()).plain_text
    await group.reply_to(question, admin, f"#{copy}")
    assert "bukan laporan lain" in (await group.next_message()).plain_text
    await group.reply_to(question, admin, f"#{original}")
    assert f"duplikat dari #{original}" in (await group.next_message()).plain_text
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
    *_, card = await next_alert(group)
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
    *_, moved_card = await next_alert(pinangsia)
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
