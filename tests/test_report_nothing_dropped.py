"""Nothing a citizen sends during a report is lost: photos and albums at any step are kept (their
caption becoming the description), an over-long description is kept and offered to be cut, and
what the bot cannot use gets an answer saying what it can take at that step."""

from __future__ import annotations

import pytest

from tests.helpers import (
    DESCRIPTION,
    MONAS,
    at_location_step,
    file_report,
    jpeg,
    reference_in,
    until_description,
    until_summary,
)

NEAR_MONAS = (-6.1760, 106.8275)  # about 75 m from Monas


async def at_nearby_question(sandbox, store):
    """Siti filed a flood at Monas; Budi starts one beside it and is asked whether it is hers."""
    ref = await file_report(sandbox.citizen(first_name="Siti"))
    budi = sandbox.citizen(first_name="Budi")
    await at_location_step(budi, "Banjir")
    await budi.share_location(*NEAR_MONAS)
    question = await budi.next_message()
    assert f"#{ref}" in question.plain_text and "Laporan saya berbeda" in question.buttons
    return budi, ref


async def test_a_photo_at_the_nearby_question_is_kept_and_the_question_asked_again(
    sandbox, bot, store
):
    budi, ref = await at_nearby_question(sandbox, store)
    await budi.send_photo(jpeg(40))
    answer = await budi.next_message()
    assert "Foto disimpan untuk laporan Anda" in answer.plain_text
    assert f"#{ref}" in answer.plain_text and f"👍 Sama — ikuti #{ref}" in answer.buttons
    await budi.tap("Laporan saya berbeda")
    asked = await budi.next_message()  # the photo is there: only the description is missing
    assert "Tulis penjelasan" in asked.plain_text
    assert len((await store.drafts.get(budi.user_id)).photos) == 1


async def test_an_album_at_the_nearby_question_gets_one_answer(sandbox, bot, store):
    budi, ref = await at_nearby_question(sandbox, store)
    await budi.send_album([jpeg(41), jpeg(42)], caption="Air masuk ke rumah warga sejak subuh")
    answer = await budi.next_message()
    assert (
        "Foto disimpan untuk laporan Anda" in answer.plain_text and f"#{ref}" in answer.plain_text
    )
    await budi.expect_no_message(within=1.5)
    draft = await store.drafts.get(budi.user_id)
    assert len(draft.photos) == 2 and draft.description == "Air masuk ke rumah warga sejak subuh"


async def test_an_album_of_four_gets_one_answer_and_keeps_three(sandbox, bot, store):
    warga = sandbox.citizen()
    await at_location_step(warga, "Sampah")
    await warga.share_location(*MONAS)
    await warga.next_message()
    await warga.send_album([jpeg(50 + i) for i in range(4)], caption=DESCRIPTION)
    answer = await warga.next_message()
    assert "3 dari 4 foto tersimpan — maksimal 3 foto" in answer.plain_text
    assert "Ringkasan" in answer.plain_text and "3 foto" in answer.plain_text
    await warga.expect_no_message(within=1.5)  # one answer, not four
    draft = await store.drafts.get(warga.user_id)
    assert len(draft.photos) == 3 and draft.description == DESCRIPTION


async def test_an_album_of_four_in_english(sandbox, bot, store):
    resident = sandbox.citizen(language_code="en")
    await at_location_step(resident, "Garbage")
    await resident.share_location(*MONAS)
    await resident.next_message()
    await resident.send_album([jpeg(60 + i) for i in range(4)])
    answer = await resident.next_message()
    assert "3 of 4 photos saved — 3 at most" in answer.plain_text
    assert "Write a short description" in answer.plain_text
    await resident.expect_no_message(within=1.5)


async def test_an_album_at_the_description_step_is_kept_with_one_answer(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_description(warga)  # one photo, no caption
    await warga.send_album([jpeg(70), jpeg(71)])
    answer = await warga.next_message()
    assert "Foto 3/3 tersimpan" in answer.plain_text and "Tulis penjelasan" in answer.plain_text
    await warga.expect_no_message(within=1.5)
    assert len((await store.drafts.get(warga.user_id)).photos) == 3


async def test_a_photo_after_the_third_is_answered_and_the_summary_stays(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_summary(warga, photos=3)
    await warga.send_photo(jpeg(80))
    answer = await warga.next_message()
    assert answer.plain_text == "📷 Sudah 3 foto (maksimal) — foto ini tidak saya simpan."
    await warga.tap("Kirim laporan")  # the summary's keyboard is still there
    ref = reference_in((await warga.next_message()).plain_text)
    assert len(await store.reports.photos(ref)) == 3


@pytest.mark.parametrize("step", ["category", "location", "description"])
async def test_a_captioned_photo_mid_flow_is_the_description(sandbox, bot, store, step):
    warga = sandbox.citizen()
    caption = "Genangan setinggi betis di depan pasar"
    await warga.send("/report")
    await warga.next_message()
    if step != "category":
        await warga.tap("Banjir")
        await warga.next_message()
    if step == "description":
        await warga.share_location(*MONAS)
        await warga.next_message()
        await warga.send_photo(jpeg(90))
        await warga.next_message()
    await warga.send_photo(jpeg(91), caption=caption)
    answer = await warga.next_message()
    draft = await store.drafts.get(warga.user_id)
    assert draft.description == caption
    if step == "category":
        assert "foto diterima — apa masalahnya?" in answer.plain_text
        await warga.tap("Banjir")
        await warga.next_message()
    if step in ("category", "location"):
        assert step == "category" or "Foto 1/3 tersimpan" in answer.plain_text
        await warga.share_location(*MONAS)
        answer = await warga.next_message()
    assert "Ringkasan" in answer.plain_text and caption in answer.plain_text


async def test_a_caption_is_added_to_a_description_given_before(sandbox, bot, store):
    warga = sandbox.citizen()
    await until_summary(warga)
    await warga.send_photo(jpeg(92), caption="Tampak dari arah utara")
    answer = await warga.next_message()
    assert "ditambahkan ke penjelasan" in answer.plain_text and "2 foto" in answer.plain_text
    draft = await store.drafts.get(warga.user_id)
    assert draft.description == f"{DESCRIPTION}\nTampak dari arah utara"


async def test_a_caption_too_short_to_describe_is_said_so(sandbox, bot, store):
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.share_location(*MONAS)
    await warga.next_message()
    await warga.send_photo(jpeg(93), caption="ini")
    answer = await warga.next_message()
    assert "terlalu pendek untuk penjelasan (3 huruf, minimal 10)" in answer.plain_text
    assert "Tulis penjelasan" in answer.plain_text
    assert (await store.drafts.get(warga.user_id)).description is None


LONG = " ".join(f"kata{i:04d}" for i in range(170))  # 1,529 characters, words of 8


@pytest.mark.parametrize(
    ("language", "offer", "cut", "rewrite", "again"),
    [
        (
            "id",
            "Terlalu panjang: 1529 huruf, maks. 1000",
            "Ya, potong",
            "Tulis ulang",
            "lebih pendek",
        ),
        ("en", "Too long: 1529 characters, at most 1000", "Yes, cut it", "Rewrite it", "shorter"),
    ],
)
async def test_an_over_long_description_is_kept_and_offered_cut(
    sandbox, bot, store, language, offer, cut, rewrite, again
):
    warga = sandbox.citizen(language_code=language)
    await warga.send("/report")
    await warga.next_message()
    await warga.send("banjir" if language == "id" else "flood")
    await warga.next_message()
    await warga.share_location(*MONAS)
    await warga.next_message()
    await warga.send_photo(jpeg(94))
    await warga.next_message()
    await warga.send(LONG)
    offered = await warga.next_message()
    assert offer in offered.plain_text
    assert "kata0111" in offered.plain_text  # where the cut part starts, shown
    assert "kata0110" not in offered.plain_text
    assert offered.buttons == [f"✂️ {cut}", f"✍️ {rewrite}"]
    assert (await store.drafts.get(warga.user_id)).long_description == LONG  # kept
    await warga.tap(rewrite)
    assert again in (await warga.next_message()).plain_text
    await warga.send(LONG)  # the same again: this time it is cut
    await warga.next_message()
    await warga.tap(cut)
    summary = await warga.next_message()
    kept = (await store.drafts.get(warga.user_id)).description
    assert kept == LONG[: len(kept)] and kept.endswith("kata0110") and len(kept) <= 1000
    assert kept[-50:] in summary.plain_text


async def test_an_over_long_caption_is_kept_and_offered_cut(sandbox, bot, store):
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.share_location(*MONAS)
    await warga.next_message()
    caption = LONG[:1020]  # Telegram allows 1,024 characters in a caption
    await warga.send_photo(jpeg(95), caption=caption)
    offered = await warga.next_message()
    assert "Terlalu panjang: 1020 huruf" in offered.plain_text and "✂️ Ya, potong" in offered.buttons
    await warga.tap("Ya, potong")
    summary = await warga.next_message()
    assert "Ringkasan" in summary.plain_text and "1 foto" in summary.plain_text


STEPS = {
    "category": ("Pilih kategori", None),
    "location": ("di mana?", "Banjir"),
    "photos": ("📷 Kirim foto", "location"),
    "description": ("Tulis penjelasan", "photo"),
    "summary": ("Ringkasan", "description"),
}
KINDS = {
    "voice": "Pesan suara belum bisa saya proses",
    "sticker": "Stiker tidak bisa saya pakai",
    "video": "Video belum bisa saya simpan",
    "contact": "Kontak tidak saya perlukan",
}


async def to_step(warga, step: str) -> None:
    await warga.send("/report")
    await warga.next_message()
    if step == "category":
        return
    await warga.tap("Banjir")
    await warga.next_message()
    if step == "location":
        return
    await warga.share_location(*MONAS)
    await warga.next_message()
    if step == "photos":
        return
    await warga.send_photo(jpeg(96))
    await warga.next_message()
    if step == "description":
        return
    await warga.send(DESCRIPTION)
    await warga.next_message()


@pytest.mark.parametrize("step", list(STEPS))
async def test_voice_sticker_video_and_contact_are_answered_with_what_the_step_takes(
    sandbox, bot, store, step
):
    warga = sandbox.citizen()
    await to_step(warga, step)
    before = await store.drafts.get(warga.user_id)
    asks, _ = STEPS[step]
    for kind, said in KINDS.items():
        if kind == "contact":
            await warga.send_contact(phone="+6281234567890")
        else:
            await getattr(warga, f"send_{kind}")()
        answer = await warga.next_message()
        assert said in answer.plain_text and asks in answer.plain_text, (kind, answer.plain_text)
        assert "6281234567890" not in answer.plain_text
    after = await store.drafts.get(warga.user_id)
    assert (after.step, after.photos, after.description) == (
        before.step,
        before.photos,
        before.description,
    )


async def test_a_voice_note_in_english(sandbox, bot, store):
    resident = sandbox.citizen(language_code="en")
    await at_location_step(resident, "Flood")
    await resident.send_voice()
    answer = await resident.next_message()
    assert "I can't process voice notes yet" in answer.plain_text
    assert "Flood — where?" in answer.plain_text and "📍 Send my location" in answer.buttons
