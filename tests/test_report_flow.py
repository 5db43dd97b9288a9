"""A citizen files a report by chatting, in Indonesian or English, and nothing they give is lost."""

from __future__ import annotations

from tests.helpers import (
    BANDUNG,
    DESCRIPTION,
    KOTA_TUA,
    MONAS,
    at_location_step,
    file_report,
    jpeg,
    reference_in,
    until_description,
    until_summary,
)


async def test_flood_report_in_indonesian(sandbox, bot, store):
    warga = sandbox.citizen(first_name="Siti", language_code="id")
    await warga.send("/report")
    ask = await warga.next_message()
    assert "kategori" in ask.plain_text.lower()
    assert "🌊 Banjir" in ask.buttons and "🗑️ Sampah" in ask.buttons
    await warga.tap("Banjir")
    location_prompt = await warga.next_message()
    assert location_prompt.has_reply_keyboard
    assert "📍 Kirim lokasi saya" in location_prompt.buttons
    await warga.share_location(*MONAS)
    photos_prompt = await warga.next_message()
    assert "Kel. Gambir, Kec. Gambir, Jakarta Pusat" in photos_prompt.plain_text
    assert "⏭️ Lewati" in photos_prompt.buttons  # a flood may be reported without a photo
    await warga.send_photo(jpeg(1))
    assert "Foto 1/3" in (await warga.next_message()).plain_text
    await warga.tap("Selesai")
    assert "Jelaskan" in (await warga.next_message()).plain_text
    await warga.send(DESCRIPTION)
    assert (await warga.next_message()).removes_keyboard
    summary = await warga.next_message()
    assert "🌊 Banjir" in summary.plain_text
    assert "Gambir" in summary.plain_text
    assert "Foto: 1" in summary.plain_text
    assert DESCRIPTION in summary.plain_text
    await warga.tap("Kirim")
    reply = await warga.next_message()
    ref = reference_in(reply.plain_text)
    assert "/status" in reply.plain_text and "Gambir" in reply.plain_text
    report = await store.reports.get(ref)
    assert report.category_key == "flood" and report.status == "new"
    assert report.area_code == "3173080003"  # Kelurahan Gambir
    assert report.description == DESCRIPTION
    assert len(await store.reports.photos(ref)) == 1
    assert [e.new_status for e in await store.reports.events(ref)] == ["new"]
    assert await store.drafts.get(warga.user_id) is None


async def test_report_in_english(sandbox, bot, store):
    resident = sandbox.citizen(first_name="Ann", language_code="en-GB")
    await resident.send("/report")
    assert "Pick a category" in (await resident.next_message()).plain_text
    await resident.tap("Road damage")
    await resident.next_message()
    await resident.send_venue(*KOTA_TUA, title="Museum Fatahillah", address="Jl. Taman Fatahillah")
    photos_prompt = await resident.next_message()
    assert "Museum Fatahillah" in photos_prompt.plain_text
    assert "Kel. Pinangsia" in photos_prompt.plain_text
    assert "⏭️ Skip" not in photos_prompt.buttons  # road damage needs a photo
    await resident.send_photo(jpeg(1))
    await resident.next_message()
    await resident.tap("Done")
    await resident.next_message()
    await resident.send("A pothole half a metre wide in the right lane")
    await resident.next_message()
    summary = await resident.next_message()
    assert "Check your report" in summary.plain_text
    await resident.tap("Send report")
    reply = await resident.next_message()
    assert "received" in reply.plain_text
    report = await store.reports.get(reference_in(reply.plain_text))
    assert report.place_name == "Museum Fatahillah"
    assert report.address == "Jl. Taman Fatahillah"


async def test_three_photos_end_the_photo_step_and_images_as_files_count(sandbox, bot, store):
    warga = sandbox.citizen()
    await at_location_step(warga, "Sampah")
    await warga.share_location(*MONAS)
    await warga.next_message()
    await warga.send_photo(jpeg(1))
    await warga.next_message()
    await warga.send_document(jpeg(2), file_name="sampah.jpg", mime_type="image/jpeg")
    assert "Foto 2/3" in (await warga.next_message()).plain_text
    await warga.send_photo(jpeg(3))
    third = await warga.next_message()
    assert "Foto 3/3" in third.plain_text and "Jelaskan" in third.plain_text
    draft = await store.drafts.get(warga.user_id)
    assert len(draft.photos) == 3 and draft.step == "description"


async def test_summary_fields_can_be_edited(sandbox, bot, store):
    warga = sandbox.citizen()
    summary = await until_summary(warga)
    await warga.tap("Ubah")
    edited = await warga.next_edit(summary)
    assert "Penjelasan" in edited.buttons
    await warga.tap("Penjelasan")
    prompt = await warga.next_message()
    assert DESCRIPTION in prompt.plain_text  # the current text is shown, not lost
    await warga.send("Air sudah sepinggang, dua mobil terjebak")
    await warga.next_message()
    summary = await warga.next_message()
    assert "sepinggang" in summary.plain_text and "🌊 Banjir" in summary.plain_text
    await warga.tap("Ubah")
    await warga.next_edit(summary)
    await warga.tap("Kategori")
    await warga.next_message()
    await warga.tap("Pohon tumbang")
    await warga.next_message()  # "category: ..." confirmation is an edit; this is the summary
    summary = warga.last_message
    assert "🌳 Pohon tumbang" in summary.plain_text
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    report = await store.reports.get(ref)
    assert report.category_key == "fallen_tree"
    assert report.description == "Air sudah sepinggang, dua mobil terjebak"


async def test_double_tap_on_confirm_files_one_report(sandbox, bot, store):
    warga = sandbox.citizen()
    summary = await until_summary(warga)
    await warga.tap("Kirim laporan", message=summary)
    ref = reference_in((await warga.next_message()).plain_text)
    await warga.press(summary, callback_data=summary.original.inline_buttons[0][1])
    again = await warga.next_message()
    assert reference_in(again.plain_text) == ref
    assert await store.reports.count_by_citizen(warga.user_id) == 1


async def test_a_location_outside_jakarta_is_accepted_and_marked(sandbox, bot, store):
    warga = sandbox.citizen()
    await at_location_step(warga, "Lampu jalan mati")
    await warga.share_location(*BANDUNG)
    reply = await warga.next_message()
    assert "di luar wilayah layanan" in reply.plain_text
    await warga.tap("Lewati")
    await warga.next_message()
    await warga.send("Lampu jalan mati sepanjang 200 meter")
    await warga.next_message()
    await warga.next_message()
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    report = await store.reports.get(ref)
    assert report.area_code is None and report.lat == BANDUNG[0]


async def test_quick_report_from_a_photo(sandbox, bot, store):
    warga = sandbox.citizen()
    await warga.send_photo(jpeg(7))
    offer = await warga.next_message()
    assert "foto ini" in offer.plain_text
    await warga.tap("Ya, buat laporan")
    await warga.next_message()
    await warga.tap("Sampah")
    await warga.next_message()
    await warga.share_location(*MONAS)
    description_prompt = await warga.next_message()
    assert "Jelaskan" in description_prompt.plain_text  # the photo was already given
    await warga.send("Tumpukan sampah di trotoar depan halte")
    await warga.next_message()
    summary = await warga.next_message()
    assert "Foto: 1" in summary.plain_text
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    assert len(await store.reports.photos(ref)) == 1


async def test_quick_report_from_a_location(sandbox, bot, store):
    warga = sandbox.citizen()
    await warga.share_location(*MONAS)
    offer = await warga.next_message()
    assert "lokasi ini" in offer.plain_text
    await warga.tap("Ya, buat laporan")
    await warga.next_message()
    await warga.tap("Banjir")
    photos_prompt = await warga.next_message()
    assert "foto" in photos_prompt.plain_text.lower()  # the location was already given
    draft = await store.drafts.get(warga.user_id)
    assert draft.lat == MONAS[0] and draft.category_key == "flood"


async def test_declining_the_quick_offer_keeps_nothing(sandbox, bot, store):
    warga = sandbox.citizen()
    await warga.send_photo(jpeg(7))
    await warga.next_message()
    await warga.tap("Tidak")
    await warga.next_edit(warga.last_message)
    assert await store.drafts.get(warga.user_id) is None


async def test_back_returns_to_the_previous_step_keeping_what_was_given(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_description(warga)
    await warga.tap("Kembali")
    photos_prompt = await warga.next_message()
    assert "Sudah ada 1 foto" in photos_prompt.plain_text
    await warga.tap("Kembali")
    assert "lokasi" in (await warga.next_message()).plain_text.lower()
    draft = await store.drafts.get(warga.user_id)
    assert draft.step == "location" and len(draft.photos) == 1 and draft.lat == MONAS[0]


async def test_file_report_helper_gives_sequential_references(sandbox, bot):
    warga = sandbox.citizen()
    first = await file_report(warga)
    second = await file_report(warga, category="Sampah", description="Sampah menumpuk di got")
    assert second == first + 1
