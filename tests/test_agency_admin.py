"""Admins manage agencies from Telegram (issue 18): /agency_new creates one and shows its card,
whose buttons toggle its categories, add a typed area (resolved as /link resolves it), take one
off and remove the agency behind a confirmation; /agencies lists them. Only WargaLapor admins,
only privately, and every press is checked again on the server."""

from __future__ import annotations

from storage.groups import Scope
from tests.helpers import file_report
from tests.test_groups import next_alert

KEC_GAMBIR = Scope("kecamatan", "Gambir")


async def new_agency(admin, name="Dinas SDA"):
    await admin.send(f"/agency_new {name}")
    return await admin.next_message()


async def test_an_admin_sets_up_an_agency_and_its_group_receives_floods(sandbox, bot, admin):
    card = await new_agency(admin)
    assert "Instansi Dinas SDA dibuat" in card.plain_text
    assert "Kategori: belum ada, jadi belum menerima laporan" in card.plain_text
    assert "Wilayah: semua wilayah" in card.plain_text
    assert "▫️ 🌊 Banjir" in card.buttons
    store = bot.services.store
    [agency] = await store.agencies.all()
    assert agency.name == "Dinas SDA" and agency.categories == ()

    await admin.tap("Banjir", message=card)
    await admin.next_edit(card)
    assert "✅ 🌊 Banjir" in card.buttons and "Kategori: 🌊 Banjir" in card.plain_text
    await admin.tap("Saluran tersumbat", message=card)
    await admin.next_edit(card)
    await admin.tap("Saluran tersumbat", message=card)
    await admin.next_edit(card)
    assert "▫️ 🕳️ Saluran tersumbat" in card.buttons
    assert (await store.agencies.get(agency.id)).categories == ("flood",)

    # An area typed by name: "Gambir" is a kelurahan and a kecamatan, so the bot asks which.
    await admin.tap("Tambah wilayah", message=card)
    asked = await admin.next_message()
    assert "Ketik wilayah yang ditangani Dinas SDA" in asked.plain_text
    await admin.send("Gambir")
    picker = await admin.next_message()
    assert "bisa berarti beberapa wilayah" in picker.plain_text
    assert len(picker.buttons) == 2
    await admin.tap("Kec. Gambir, Jakarta Pusat", message=picker)
    await admin.next_edit(picker)
    assert "Dinas SDA kini menangani Kec. Gambir" in picker.plain_text
    assert "Wilayah: Kec. Gambir" in picker.plain_text
    assert (await store.agencies.get(agency.id)).scopes == (KEC_GAMBIR,)
    # The question is answered: the next text is not taken as another area.
    await admin.send("Gambir")
    assert "bisa berarti" not in (await admin.next_message()).plain_text
    assert (await store.agencies.get(agency.id)).scopes == (KEC_GAMBIR,)

    await admin.send("/agencies")
    listed = (await admin.next_message()).plain_text
    assert "Instansi (1; halaman 1/1)" in listed
    assert "• Dinas SDA: 🌊 Banjir · Kec. Gambir" in listed and "belum ada" in listed

    group = sandbox.group(title="Grup Dinas SDA")
    group.add_member(admin, status="administrator")
    await group.send(admin, "/agency Dinas SDA")
    assert "kini menerima laporan untuk Dinas SDA" in (await group.next_message()).plain_text
    ref = await file_report(sandbox.citizen())  # a flood at Monas, in kec. Gambir
    card_in_group = await next_alert(group)
    assert f"Laporan #{ref}" in card_in_group.plain_text and "Banjir" in card_in_group.plain_text
    light = await file_report(sandbox.citizen(), category="Lampu jalan mati")
    await group.expect_no_message()
    assert not any(f"#{light}" in m.plain_text for m in group.messages)

    await admin.send("/agencies")
    assert "1 grup" in (await admin.next_message()).plain_text


async def test_a_typed_area_survives_a_restart_and_an_unknown_one_gets_suggestions(
    sandbox, bot, admin
):
    card = await new_agency(admin, "PLN")
    await admin.tap("Lampu jalan mati", message=card)
    await admin.next_edit(card)
    await admin.tap("Tambah wilayah", message=card)
    await admin.next_message()
    await bot.restart()
    await admin.send("Atlantis")
    missing = await admin.next_message()
    assert "Wilayah “Atlantis” tidak ditemukan" in missing.plain_text and not missing.buttons
    await admin.send("Gamb")
    suggested = await admin.next_message()
    assert "Maksud Anda salah satu ini?" in suggested.plain_text
    assert any("Gambir" in label for label in suggested.buttons)
    await admin.send("kec. Gambir")
    added = await admin.next_message()
    assert "PLN kini menangani Kec. Gambir" in added.plain_text
    store = bot.services.store
    pln = await store.agencies.by_name("pln")
    assert pln.scopes == (KEC_GAMBIR,) and pln.categories == ("street_light",)

    # Taking off the last area would widen it to everywhere: refused; 🌐 says that on purpose.
    refused = await admin.tap("✖️ Kec. Gambir", message=added)
    assert refused.show_alert and "wilayah terakhirnya" in refused.text
    assert (await store.agencies.get(pln.id)).scopes == (KEC_GAMBIR,)
    await admin.tap("Semua wilayah", message=added)
    await admin.next_edit(added)
    assert "Wilayah: semua wilayah" in added.plain_text
    assert (await store.agencies.get(pln.id)).scopes == ()
    # The last category cannot be taken off either: an agency is removed, not emptied.
    last = await admin.tap("Lampu jalan mati", message=added)
    assert last.show_alert and "paling sedikit satu kategori" in last.text
    assert (await store.agencies.get(pln.id)).categories == ("street_light",)

    # Cancel withdraws the question.
    await admin.tap("Tambah wilayah", message=added)
    asked = await admin.next_message()
    await admin.tap("Batal", message=asked)
    await admin.next_edit(asked)
    assert "dibatalkan" in asked.plain_text
    await admin.send("kec. Gambir")
    assert "menangani" not in (await admin.next_message()).plain_text
    assert (await store.agencies.get(pln.id)).scopes == ()
    # ... and so does /cancel.
    await admin.tap("Tambah wilayah", message=added)
    await admin.next_message()
    await admin.send("/cancel")
    assert "Penambahan wilayah dibatalkan" in (await admin.next_message()).plain_text
    await admin.send("kec. Gambir")
    assert "menangani" not in (await admin.next_message()).plain_text
    assert (await store.agencies.get(pln.id)).scopes == ()


async def test_only_an_admin_manages_agencies_and_only_privately(sandbox, bot, store, admin):
    warga = sandbox.citizen()
    await warga.send("/agency_new Dinas Palsu")
    assert "Hanya admin WargaLapor yang dapat mengelola instansi" in (
        (await warga.next_message()).plain_text
    )
    await warga.send("/agencies")
    assert "Hanya admin" in (await warga.next_message()).plain_text
    assert await store.agencies.all() == []

    group = sandbox.group(title="Kelurahan Gambir")
    group.add_member(admin, status="administrator")
    await group.send(admin, "/agency_new Dinas SDA")
    assert "chat pribadi" in (await group.next_message()).plain_text
    assert await store.agencies.all() == []

    await new_agency(admin)
    [agency] = await store.agencies.all()
    # The admin's card, its data copied into a press by someone else: refused, nothing changes.
    own = warga.messages[-1]  # forged onto a message of the citizen's own chat
    for data in (f"agency:{agency.id}:on-flood", f"agency:{agency.id}:removed"):
        refused = await warga.press(own, data)
        assert refused.show_alert and "Hanya admin" in refused.text
    refused = await warga.press(own, f"agency-at:{agency.id}:add:kecamatan:Gambir")
    assert refused.show_alert and "Hanya admin" in refused.text
    kept = await store.agencies.get(agency.id)
    assert kept is not None and kept.categories == () and kept.scopes == ()
    await admin.send("/agency_new  dinas   sda ")
    assert "Sudah ada instansi bernama “dinas sda”" in (await admin.next_message()).plain_text
    await admin.send("/agency_new")
    assert "/agency_new Dinas SDA" in (await admin.next_message()).plain_text
    assert len(await store.agencies.all()) == 1


async def test_stale_and_forged_buttons_are_answered_politely(sandbox, bot, store, admin):
    card = await new_agency(admin)
    [agency] = await store.agencies.all()
    forged = {
        f"agency:{agency.id}:on-lava": "Kategori itu tidak dikenal",
        f"agency:{agency.id}:frobnicate": "sudah tidak berlaku",
        f"agency-at:{agency.id}:add:kota:Atlantis": "sudah tidak berlaku",
        f"agency-at:{agency.id}:grow:kecamatan:Gambir": "sudah tidak berlaku",
        "agency:abc:show": "sudah tidak berlaku",
        "agencies:x": "sudah tidak berlaku",
    }
    for data, said in forged.items():
        answer = await admin.press(card, data)
        assert answer is not None and said in answer.text, data
    gone = await admin.press(card, "agency:99999:show")
    assert gone.show_alert and "Instansi ini sudah tidak ada" in gone.text
    await admin.next_edit(card)  # the card of an agency that is gone becomes the list
    assert "Instansi (1; halaman 1/1)" in card.plain_text
    await admin.tap("Dinas SDA", message=card)
    await admin.next_edit(card)
    kept = await store.agencies.get(agency.id)
    assert kept.categories == () and kept.scopes == ()
    # A card's button pressed a second time sets what it showed (on), never the opposite.
    await admin.tap("Banjir", message=card)
    await admin.next_edit(card)
    answer = await admin.press(card, f"agency:{agency.id}:on-flood")
    assert answer is not None and not answer.show_alert
    assert (await store.agencies.get(agency.id)).categories == ("flood",)
    # A private chat's button pressed in a group is refused before any handler sees it.
    group = sandbox.group(title="Grup")
    group.add_member(admin, status="administrator")
    await group.send(admin, "/agency")
    shown = await group.next_message()
    answer = await group.press(admin, shown, f"agency:{agency.id}:removed")
    assert answer is not None and "sudah tidak berlaku" in answer.text
    assert await store.agencies.get(agency.id) is not None


async def test_an_admin_removes_an_agency_after_confirming(sandbox, bot, store, admin):
    card = await new_agency(admin)
    await admin.tap("Banjir", message=card)
    await admin.next_edit(card)
    group = sandbox.group(title="Grup Dinas SDA")
    group.add_member(admin, status="administrator")
    await group.send(admin, "/agency Dinas SDA")
    await group.next_message()

    await admin.tap("Hapus instansi", message=card)
    await admin.next_edit(card)
    assert "Hapus instansi Dinas SDA? 1 grupnya berhenti" in card.plain_text
    await admin.tap("Batal", message=card)
    await admin.next_edit(card)
    assert "Kategori: 🌊 Banjir" in card.plain_text
    assert await store.agencies.by_name("Dinas SDA") is not None

    await admin.tap("Hapus instansi", message=card)
    await admin.next_edit(card)
    await admin.tap("Ya, hapus", message=card)
    await admin.next_edit(card)
    assert "Instansi Dinas SDA dihapus" in card.plain_text and not card.buttons
    assert await store.agencies.by_name("Dinas SDA") is None
    assert await store.agencies.of_chat(group.chat_id) == []
    ref = await file_report(sandbox.citizen())
    assert ref
    await group.expect_no_message()

    await admin.send("/agencies")
    listed = await admin.next_message()
    assert "Belum ada instansi" in listed.plain_text


async def test_a_long_list_of_agencies_comes_in_pages(sandbox, bot, store, admin):
    kelurahan = [Scope("kelurahan", code) for code in ("3173080003", "3174060008")]
    many = [KEC_GAMBIR, Scope("kota", "Jakarta Pusat"), *kelurahan]
    for number in range(9):
        scopes = many if number == 0 else []
        await store.agencies.create(f"Dinas {number}", ["flood"], scopes, admin.user_id)
    await admin.send("/agencies")
    listed = await admin.next_message()
    assert "Instansi (9; halaman 1/2)" in listed.plain_text
    assert "+1 lainnya" in listed.plain_text  # a list line names three areas; its card, all
    assert listed.buttons.count("▶️") == 1 and "◀️" not in listed.buttons
    assert len([label for label in listed.buttons if label.startswith("⚙️")]) == 8
    await admin.tap("▶️", message=listed)
    await admin.next_edit(listed)
    assert "halaman 2/2" in listed.plain_text and "Dinas 8" in listed.plain_text
    assert "Dinas 0" not in listed.plain_text and "◀️" in listed.buttons
    await admin.tap("Dinas 8", message=listed)
    await admin.next_edit(listed)
    assert "Kategori: 🌊 Banjir" in listed.plain_text and "Dinas 8" in listed.plain_text
