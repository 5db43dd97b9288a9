"""Bad input at every step gets a friendly re-ask and never loses the draft."""

from __future__ import annotations

import pytest

from tests.helpers import MONAS, at_location_step, jpeg, until_description, until_summary


async def test_text_and_sticker_where_a_location_is_expected(sandbox, bot, store):
    warga = sandbox.citizen()
    await at_location_step(warga, "Banjir")
    await warga.send("Jl. Medan Merdeka")
    reask = await warga.next_message()
    assert "lokasi" in reask.plain_text and "📍 Kirim lokasi saya" in reask.buttons
    await warga.send_sticker()
    assert "lokasi" in (await warga.next_message()).plain_text
    draft = await store.drafts.get(warga.user_id)
    assert draft.step == "location" and draft.category_key == "flood"


async def test_wrong_things_at_the_photo_step(sandbox, bot, store):
    """Garbage needs a photo: a description typed first is kept and the photo still asked for;
    a file, a voice note or a word get what the step takes."""
    warga = sandbox.citizen()
    await at_location_step(warga, "Sampah")
    await warga.share_location(*MONAS)
    prompt = await warga.next_message()
    assert "⏭️ Lewati" not in prompt.buttons
    await warga.send("ini sampahnya menumpuk")
    kept = await warga.next_message()
    assert "Penjelasan tersimpan" in kept.plain_text and "kirim fotonya" in kept.plain_text
    await warga.send_document(b"%PDF-1.4", file_name="x.pdf", mime_type="application/pdf")
    assert "bukan gambar" in (await warga.next_message()).plain_text
    await warga.send("ok")
    assert "perlu foto" in (await warga.next_message()).plain_text
    await warga.send_voice()
    voice = await warga.next_message()
    assert "Pesan suara" in voice.plain_text and "kirim fotonya" in voice.plain_text
    await warga.send_photo(jpeg(1))
    summary = await warga.next_message()
    assert "ini sampahnya menumpuk" in summary.plain_text and "1 foto" in summary.plain_text
    await warga.send_photo(jpeg(1))  # the very same file again
    again = await warga.next_message()
    assert "sudah ada di laporan (1/3)" in again.plain_text
    assert "✅ Kirim laporan" in again.buttons
    draft = await store.drafts.get(warga.user_id)
    assert draft.step == "summary" and len(draft.photos) == 1


async def test_descriptions_too_short_or_not_text(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_description(warga)
    await warga.send("banjir")
    assert "terlalu pendek (6 huruf)" in (await warga.next_message()).plain_text
    await warga.send_sticker()
    sticker = await warga.next_message()
    assert "Stiker" in sticker.plain_text and "Tulis penjelasan" in sticker.plain_text
    await warga.send_photo(jpeg(9))  # a photo is kept, and the description asked again
    assert "Foto 2/3 tersimpan" in (await warga.next_message()).plain_text
    await warga.send("x" * 1000)  # exactly the limit is fine
    summary = await warga.next_message()
    assert "Ringkasan" in summary.plain_text and "2 foto" in summary.plain_text
    assert (await store.drafts.get(warga.user_id)).description == "x" * 1000


async def test_html_in_a_description_is_shown_as_typed(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_description(warga)
    await warga.send("Got <b>mampet</b> & bau di Jl. A<B")
    summary = await warga.next_message()
    assert "Got <b>mampet</b> & bau di Jl. A<B" in summary.plain_text


async def test_typing_at_the_category_and_summary_steps_reasks(sandbox, bot):
    warga = sandbox.citizen()
    await warga.send("/report")
    await warga.next_message()
    await warga.send("halo apa kabar")  # no category's name
    reask = await warga.next_message()
    assert "Pilih kategori" in reask.plain_text and "🌊 Banjir" in reask.buttons
    await warga.send("/cancel")
    await warga.next_message()
    await until_summary(warga)
    await warga.send("kirim")
    hint = await warga.next_message()
    assert "Kirim laporan" in hint.plain_text and "✅ Kirim laporan" in hint.buttons


async def test_stale_and_forged_buttons(sandbox, bot, store):
    """Inline category buttons of an earlier version's menu, once the category is chosen, and
    forged ones: told they expired, and shown where the report stands."""
    warga = sandbox.citizen()
    await warga.send("/report")
    categories = await warga.next_message()
    await warga.tap("Banjir")
    await warga.next_message()
    draft = await store.drafts.get(warga.user_id)
    old_menu = f"draft:{draft.token}:category:garbage"
    answer = await warga.press(categories, callback_data=old_menu)
    assert answer is not None and "tidak berlaku" in answer.text
    reprompt = await warga.next_message()
    assert "di mana?" in reprompt.plain_text and "📍 Kirim lokasi saya" in reprompt.buttons
    answer = await warga.press(categories, callback_data="r:forged:cat:flood")
    assert "tidak berlaku" in answer.text
    await warga.next_message()
    answer = await warga.press(categories, callback_data="zz:1:2")
    assert "tidak berlaku" in answer.text
    draft = await store.drafts.get(warga.user_id)
    assert draft.step == "location" and draft.category_key == "flood"


async def test_report_again_midway_asks_continue_or_start_over(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_description(warga)
    await warga.send("/report")
    question = await warga.next_message()
    assert "Lanjutkan" in question.plain_text and "🌊 Banjir" in question.plain_text
    await warga.tap("Lanjutkan")
    assert "Tulis penjelasan" in (await warga.next_message()).plain_text
    await warga.send("/report")
    await warga.next_message()
    await warga.tap("Mulai ulang")
    assert "Pilih kategori" in (await warga.next_message()).plain_text
    draft = await store.drafts.get(warga.user_id)
    assert draft.category_key is None and draft.photos == ()


async def test_edited_messages_are_not_read_but_answered(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_description(warga)
    sent = await warga.send("Air setinggi lutut sejak pagi")
    await warga.next_message()
    await warga.edit(sent, "Air setinggi dada sejak pagi")
    assert "diedit" in (await warga.next_message()).plain_text
    assert (await store.drafts.get(warga.user_id)).description == "Air setinggi lutut sejak pagi"


async def test_citizen_commands_in_a_group_point_to_the_private_chat(sandbox, bot, store):
    warga = sandbox.citizen()
    group = sandbox.group(title="RW 05")
    group.add_member(warga)
    await group.send(warga, "/report")
    reply = await group.next_message()
    assert "chat saya secara pribadi" in reply.plain_text
    assert any(url and "start=report" in url for _, url in reply.inline_buttons)
    assert await store.drafts.get(warga.user_id) is None


async def test_unknown_command_and_idle_text(sandbox, bot):
    warga = sandbox.citizen()
    await warga.send("/laporkan")
    assert "/help" in (await warga.next_message()).plain_text
    await warga.send("halo")
    idle = await warga.next_message()
    assert "/report" in idle.plain_text and "📝 Buat laporan" in idle.buttons


@pytest.mark.parametrize("step", ["category", "location", "photos", "description", "summary"])
async def test_cancel_at_every_step(sandbox, bot, store, step):
    warga = sandbox.citizen()
    await warga.send("/report")
    await warga.next_message()
    if step != "category":
        await warga.tap("Banjir")
        await warga.next_message()
    if step in ("photos", "description", "summary"):
        await warga.share_location(*MONAS)
        await warga.next_message()
    if step in ("description", "summary"):
        await warga.tap("Lewati")
        await warga.next_message()
    if step == "summary":
        await warga.send("Air setinggi lutut sejak pagi")
        await warga.next_message()
    await warga.send("/cancel")
    cancelled = await warga.next_message()
    assert "dibatalkan" in cancelled.plain_text and cancelled.removes_keyboard
    assert (await store.drafts.get(warga.user_id)).cancelled_at is not None
    await warga.send("/cancel")
    assert "Tidak ada yang sedang berjalan" in (await warga.next_message()).plain_text


async def test_cancel_button_and_restore_after_cancel(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_description(warga)
    await warga.tap("Batal")
    assert "dibatalkan" in (await warga.next_message()).plain_text
    await warga.send("/report")
    offer = await warga.next_message()
    assert "Pulihkan" in offer.plain_text or "↩️ Pulihkan" in offer.buttons
    await warga.tap("Pulihkan")
    assert "Tulis penjelasan" in (await warga.next_message()).plain_text
    draft = await store.drafts.get(warga.user_id)
    assert draft.cancelled_at is None and len(draft.photos) == 1


async def test_one_network_hiccup_does_not_lose_the_next_prompt(sandbox, bot):
    """A dropped connection or a 502 before Telegram acted: the prompt is sent again, once."""
    warga = sandbox.citizen()
    await warga.send("/report")
    await warga.next_message()
    sandbox.faults.fail_next("sendMessage", "drop")
    await warga.tap("Banjir")
    ask = await warga.next_message()
    assert "di mana?" in ask.plain_text, warga.transcript()
    await warga.expect_no_message(within=0.5)
    sandbox.faults.fail_next("sendMessage", "5xx")
    await warga.share_location(*MONAS)
    assert "Kel. Gambir" in (await warga.next_message()).plain_text, warga.transcript()
    await warga.expect_no_message(within=0.5)
    assert sandbox.faults.served == {"drop": 1, "5xx": 1}


async def test_a_failed_answer_after_a_button_is_told_in_the_chat(sandbox, bot, store):
    """The press was acknowledged, then Telegram failed the next prompt: the pop-up is used
    up, so the citizen is told in the chat, and the draft keeps everything for the retry."""
    warga = sandbox.citizen()
    await warga.send("/report")
    await warga.next_message()
    sandbox.faults.fail_next("sendMessage", "5xx", count=3)  # one try and both retries
    await warga.tap("Banjir")
    told = await warga.next_message()
    assert "Maaf, ada gangguan. Data Anda aman" in told.plain_text, warga.transcript()
    assert (await store.drafts.get(warga.user_id)).category_key == "flood"
    await warga.send("/report")
    busy = await warga.next_message()
    assert "Lanjutkan" in str(busy.buttons)
    sandbox.faults.fail_next("sendMessage", "5xx", count=3)
    await warga.tap("Lanjutkan", message=busy)  # an inline button: its pop-up is used up
    told = await warga.next_message()
    assert "Maaf, ada gangguan. Data Anda aman" in told.plain_text, warga.transcript()


async def test_a_photo_step_button_twice_is_not_taken_as_the_description(sandbox, bot, store):
    """Skip tapped twice on a slow line (or replayed after a crash): the second one re-asks for
    the description instead of refusing "⏭️ Lewati" as a description that is too short."""
    warga = sandbox.citizen()
    await until_description(warga, photos=0)  # ends after the first "Lewati"
    await warga.send("⏭️ Lewati")  # the photo step's keyboard again
    again = await warga.next_message()
    assert "Tulis penjelasan" in again.plain_text and "terlalu pendek" not in again.plain_text
    draft = await store.drafts.get(warga.user_id)
    assert draft.step == "description" and draft.description is None
