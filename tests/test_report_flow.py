"""A citizen files a report by chatting, in Indonesian or English, in five actions: a category, the
location, a photo with the description as its caption, send (after /report or "make a report")."""

from __future__ import annotations

import pytest

from tests.helpers import (
    BANDUNG,
    DESCRIPTION,
    KOTA_TUA,
    MONAS,
    actions_of,
    at_location_step,
    calls_to,
    file_in_five,
    file_report,
    jpeg,
    phone_rows,
    reference_in,
    until_description,
    until_summary,
)


async def test_flood_report_in_five_actions_in_indonesian(sandbox, bot, store):
    warga = sandbox.citizen(first_name="Siti", language_code="id")
    await warga.send("/report")
    ask = await warga.next_message()
    assert "apa masalahnya" in ask.plain_text and "ketik namanya" in ask.plain_text
    assert ask.has_reply_keyboard and "🌊 Banjir" in ask.buttons and "🗑️ Sampah" in ask.buttons
    await warga.tap("Banjir")
    location_prompt = await warga.next_message()
    assert location_prompt.plain_text.startswith("🌊 Banjir — di mana?")
    assert "📍 Kirim lokasi saya" in location_prompt.buttons
    await warga.share_location(*MONAS)
    photo_prompt = await warga.next_message()
    assert "📍 Kel. Gambir, Jakarta Pusat" in photo_prompt.plain_text
    assert "keterangan" in photo_prompt.plain_text
    assert "⏭️ Lewati" in photo_prompt.buttons  # a flood may be reported without a photo
    await warga.send_photo(jpeg(1), caption=DESCRIPTION)
    summary = await warga.next_message()  # the caption is the description: straight on
    assert "Ringkasan: 🌊 Banjir" in summary.plain_text
    assert "Kel. Gambir, Jakarta Pusat" in summary.plain_text
    assert "1 foto" in summary.plain_text and DESCRIPTION in summary.plain_text
    assert summary.buttons == [
        "✅ Kirim laporan",
        "➕ Foto",
        "✏️ Ubah",
        "❌ Batal",
        "🕶️ Jadikan anonim",
        "🔒 Jadikan rahasia",
    ]
    assert "👤 Nama tampil" in summary.plain_text  # the default privacy mode, untouched
    await warga.tap("Kirim laporan")
    reply = await warga.next_message()
    assert actions_of(sandbox, warga) == 5  # /report, category, location, photo, send
    ref = reference_in(reply.plain_text)
    assert "/status" in reply.plain_text and "Kelurahan Gambir" in reply.plain_text
    assert reply.removes_keyboard
    report = await store.reports.get(ref)
    assert report.category_key == "flood" and report.status == "new"
    assert report.area_code == "3173080003"  # Kelurahan Gambir
    assert report.description == DESCRIPTION and not report.approximate
    assert len(await store.reports.photos(ref)) == 1
    assert [e.new_status for e in await store.reports.events(ref)] == ["new"]
    assert await store.drafts.get(warga.user_id) is None


async def test_from_start_it_is_five_actions_and_six_bot_calls(sandbox, bot, store):
    warga = sandbox.citizen(first_name="Siti")
    await warga.send("/start")
    welcome = await warga.next_message()
    first_call = len(sandbox.world.calls)
    await warga.tap("Buat laporan")
    await warga.next_message()
    _, ref = await file_in_five(warga, opened=True)
    assert actions_of(sandbox, warga) == 1 + 5  # /start, then make a report … send
    # The welcome, then one message per action: nothing to acknowledge, nothing to retire.
    spent = calls_to(sandbox, warga.chat_id, first_call)
    assert spent == ["sendMessage"] * 5, spent
    assert "📝 Buat laporan" in welcome.buttons
    assert await store.reports.get(ref) is not None


async def test_report_in_english(sandbox, bot, store):
    resident = sandbox.citizen(first_name="Ann", language_code="en-GB")
    await resident.send("/report")
    assert "Pick a category" in (await resident.next_message()).plain_text
    await resident.tap("Road damage")
    assert "where?" in (await resident.next_message()).plain_text
    await resident.send_venue(*KOTA_TUA, title="Museum Fatahillah", address="Jl. Taman Fatahillah")
    photo_prompt = await resident.next_message()
    assert "Museum Fatahillah" in photo_prompt.plain_text
    assert "Kel. Pinangsia" in photo_prompt.plain_text
    assert "⏭️ Skip" not in photo_prompt.buttons  # road damage needs a photo
    await resident.send_photo(jpeg(1))  # no caption: the description is asked for
    asked = await resident.next_message()
    assert "Photo 1/3 saved" in asked.plain_text and "Write a short description" in asked.plain_text
    await resident.send("A pothole half a metre wide in the right lane")
    summary = await resident.next_message()
    assert "Summary: 🚧 Road damage" in summary.plain_text and "1 photo" in summary.plain_text
    await resident.tap("Send report")
    reply = await resident.next_message()
    assert "received" in reply.plain_text
    report = await store.reports.get(reference_in(reply.plain_text))
    assert report.place_name == "Museum Fatahillah"
    assert report.address == "Jl. Taman Fatahillah"


@pytest.mark.parametrize("language", ["id", "en"])
async def test_every_message_of_the_flow_fits_three_short_lines(sandbox, bot, language):
    """The welcome, each step's question, the summary and the receipt: at most three lines of
    about 40 characters before their buttons (the citizen's own words left out)."""
    flows = []
    warga = sandbox.citizen(first_name="Siti", language_code=language)
    await warga.send("/start")
    await warga.next_message()
    await warga.tap("📝")  # make a report, in either language
    await warga.next_message()
    flows += (await file_in_five(warga, "🌊", opened=True))[0] + warga.messages[:2]
    quick = sandbox.citizen(first_name="Budi", language_code=language)
    await quick.send_photo(jpeg(2))  # no caption: asked for once the place is known
    await quick.next_message()
    await quick.tap("🗑️")
    await quick.next_message()
    await quick.share_location(-6.1790, 106.8320)
    await quick.next_message()
    await quick.send("Tumpukan sampah di trotoar depan halte")
    await quick.next_message()
    await quick.tap("✅")
    await quick.next_message()
    flows += quick.messages
    skipper = sandbox.citizen(first_name="Ani", language_code=language)
    await skipper.send("/report")
    await skipper.next_message()
    await skipper.tap("💡")
    await skipper.next_message()
    await skipper.share_location(-6.1710, 106.8230)
    await skipper.next_message()
    await skipper.tap("⏭️")  # no photo: the description is asked for
    await skipper.next_message()
    flows += skipper.messages
    too_long = []
    for message in flows:
        seen = message.plain_text
        for words in (DESCRIPTION, "Tumpukan sampah di trotoar depan halte"):
            seen = seen.replace(words, "…")
        if phone_rows(seen) > 3:
            too_long.append(seen)
    assert len(flows) >= 14 and too_long == []


async def test_photos_after_the_first_are_added_until_three(sandbox, bot, store):
    """The first photo moves the report on; more join it (an image sent as a file counts) up
    to three, and a fourth is answered, not dropped silently."""
    warga = sandbox.citizen()
    await at_location_step(warga, "Sampah")
    await warga.share_location(*MONAS)
    await warga.next_message()
    await warga.send_photo(jpeg(1))
    first = await warga.next_message()
    assert "Foto 1/3 tersimpan" in first.plain_text and "Tulis penjelasan" in first.plain_text
    await warga.send_document(jpeg(2), file_name="sampah.jpg", mime_type="image/jpeg")
    assert "Foto 2/3" in (await warga.next_message()).plain_text
    await warga.send_photo(jpeg(3))
    assert "Foto 3/3" in (await warga.next_message()).plain_text
    await warga.send_photo(jpeg(4))
    fourth = await warga.next_message()
    assert "Sudah 3 foto (maksimal) — foto ini tidak saya simpan" in fourth.plain_text
    assert "Tulis penjelasan" in fourth.plain_text  # and what the report still needs
    draft = await store.drafts.get(warga.user_id)
    assert len(draft.photos) == 3 and draft.step == "description"


async def test_another_photo_from_the_summary(sandbox, bot, store):
    warga = sandbox.citizen()
    summary = await until_summary(warga)
    assert "1 foto" in summary.plain_text
    await warga.tap("➕ Foto")
    assert "Kirim fotonya sekarang" in (await warga.next_message()).plain_text
    await warga.send_photo(jpeg(8))
    again = await warga.next_message()
    assert "2 foto" in again.plain_text and "✅ Kirim laporan" in again.buttons
    await warga.send_photo(jpeg(9))
    full = await warga.next_message()
    assert "3 foto" in full.plain_text and "➕ Foto" not in full.buttons
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    assert len(await store.reports.photos(ref)) == 3


async def test_summary_fields_can_be_edited(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_summary(warga)
    await warga.tap("Ubah")
    which = await warga.next_message()
    assert "✍️ Penjelasan" in which.buttons and "🏷️ Kategori" in which.buttons
    await warga.tap("Penjelasan")
    prompt = await warga.next_message()
    assert DESCRIPTION in prompt.plain_text  # the current text is shown, not lost
    await warga.send("Air sudah sepinggang, dua mobil terjebak")
    summary = await warga.next_message()
    assert "sepinggang" in summary.plain_text and "🌊 Banjir" in summary.plain_text
    await warga.tap("Ubah")
    await warga.next_message()
    await warga.tap("Kategori")
    await warga.next_message()
    await warga.tap("Pohon tumbang")
    summary = await warga.next_message()
    assert "🌳 Pohon tumbang" in summary.plain_text
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    report = await store.reports.get(ref)
    assert report.category_key == "fallen_tree"
    assert report.description == "Air sudah sepinggang, dua mobil terjebak"


async def test_double_tap_on_send_files_one_report(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_summary(warga)
    await warga.send("✅ Kirim laporan")
    await warga.send("✅ Kirim laporan")  # a second tap on a slow line
    first = await warga.next_message()
    second = await warga.next_message()
    assert reference_in(second.plain_text) == reference_in(first.plain_text)
    assert "sudah terkirim" in second.plain_text
    assert await store.reports.count_by_citizen(warga.user_id) == 1


async def test_a_location_outside_jakarta_is_accepted_and_marked(sandbox, bot, store):
    warga = sandbox.citizen()
    await at_location_step(warga, "Lampu jalan mati")
    await warga.share_location(*BANDUNG)
    reply = await warga.next_message()
    assert "di luar wilayah layanan" in reply.plain_text
    await warga.send("Lampu jalan mati sepanjang 200 meter")  # no photo: typed, it goes on
    summary = await warga.next_message()
    assert "tanpa foto" in summary.plain_text
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    report = await store.reports.get(ref)
    assert report.area_code is None and report.lat == BANDUNG[0]


async def test_quick_report_from_a_photo_in_four_actions(sandbox, bot, store):
    warga = sandbox.citizen()
    await warga.send_photo(jpeg(7), caption="Tumpukan sampah di trotoar depan halte")
    ask = await warga.next_message()
    assert "1 foto diterima — apa masalahnya?" in ask.plain_text and "🗑️ Sampah" in ask.buttons
    await warga.tap("Sampah")
    await warga.next_message()
    await warga.share_location(*MONAS)
    summary = await warga.next_message()  # photo and description given already
    assert "1 foto" in summary.plain_text and "Tumpukan sampah" in summary.plain_text
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    assert actions_of(sandbox, warga) == 4
    assert len(await store.reports.photos(ref)) == 1


async def test_quick_report_from_a_location(sandbox, bot, store):
    warga = sandbox.citizen()
    await warga.share_location(*MONAS)
    ask = await warga.next_message()
    assert "Lokasi diterima — apa masalahnya?" in ask.plain_text
    await warga.tap("Banjir")
    photo_prompt = await warga.next_message()
    assert "foto" in photo_prompt.plain_text.lower()  # the location was already given
    draft = await store.drafts.get(warga.user_id)
    assert draft.lat == MONAS[0] and draft.category_key == "flood"


async def test_cancelling_a_quick_report_sends_nothing(sandbox, bot, store):
    warga = sandbox.citizen()
    await warga.send_photo(jpeg(7))
    await warga.next_message()
    await warga.tap("Batal")
    cancelled = await warga.next_message()
    assert "dibatalkan" in cancelled.plain_text and cancelled.removes_keyboard
    assert (await store.drafts.get(warga.user_id)).cancelled_at is not None
    assert await store.reports.count_by_citizen(warga.user_id) == 0


@pytest.mark.parametrize(
    ("typed", "language", "category", "asked"),
    [
        ("banjir", "id", "flood", "di mana?"),
        ("Sampah", "id", "garbage", "di mana?"),
        ("lampu mati", "id", "street_light", "di mana?"),
        ("garbage", "en", "garbage", "where?"),
        ("street light", "en", "street_light", "where?"),
    ],
)
async def test_a_typed_category_name_picks_it(
    sandbox, bot, store, typed, language, category, asked
):
    warga = sandbox.citizen(language_code=language)
    await warga.send("/report")
    await warga.next_message()
    await warga.send(typed)
    assert asked in (await warga.next_message()).plain_text
    assert (await store.drafts.get(warga.user_id)).category_key == category


async def test_an_ambiguous_or_unknown_category_name_asks_again(sandbox, bot, store):
    warga = sandbox.citizen()
    await warga.send("/report")
    await warga.next_message()
    await warga.send("rusak")  # a road, or a public facility?
    again = await warga.next_message()
    assert "beberapa kategori" in again.plain_text and "🚧 Jalan rusak" in again.buttons
    await warga.send("hujan es")
    unknown = await warga.next_message()
    assert "ketik namanya" in unknown.plain_text and "🌊 Banjir" in unknown.buttons
    assert (await store.drafts.get(warga.user_id)).category_key is None


async def test_a_category_tapped_again_later_puts_a_slip_right(sandbox, bot, store):
    warga = sandbox.citizen()
    await at_location_step(warga, "Banjir")
    await warga.send("🌊 Banjir")  # a double tap: the same question again, nothing changes
    assert "di mana?" in (await warga.next_message()).plain_text
    await warga.send("🗑️ Sampah")  # the button next to it was meant
    changed = await warga.next_message()
    assert "Kategori: 🗑️ Sampah" in changed.plain_text and "di mana?" in changed.plain_text
    assert (await store.drafts.get(warga.user_id)).category_key == "garbage"


async def test_back_returns_to_the_previous_step_keeping_what_was_given(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_description(warga)
    await warga.tap("Kembali")
    photos_prompt = await warga.next_message()
    assert "Sudah 1 foto" in photos_prompt.plain_text
    await warga.tap("Kembali")
    assert "di mana?" in (await warga.next_message()).plain_text
    draft = await store.drafts.get(warga.user_id)
    assert draft.step == "location" and len(draft.photos) == 1 and draft.lat == MONAS[0]


async def test_file_report_helper_gives_sequential_references(sandbox, bot):
    warga = sandbox.citizen()
    first = await file_report(warga)
    second = await file_report(warga, category="Sampah", description="Sampah menumpuk di got")
    assert second == first + 1
