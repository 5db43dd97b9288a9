"""The bot's questions to the officer who pressed ✅ Selesai, ⛔ Tolak or 🔁 Duplikat: the after
photo comes before the report is resolved (required or not, per category), a question can be
cancelled and lapses, another officer is told who is on it, an answer posted without replying
is taken when it can only be one, and a duplicate's original is shown before it is marked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.domain.cases import Actor
from bot.domain.retention import Retention
from tests.helpers import KOTA_TUA, file_report, jpeg
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for

AGENCY = Actor("agency", None, "Dinas SDA")


async def asked(store, question) -> None:
    """Until the bot has recorded the question it sent (it sends, then records)."""
    for _ in range(50):
        if await store.questions.at(question.chat_id, question.message_id):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the question was never recorded")


async def officers(sandbox, store, admin, *names):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    people = []
    for name in names:
        officer = await officer_for(sandbox, store, admin, name=name)
        group.add_member(officer)
        people.append(officer)
    return group, people


async def test_a_required_after_photo_cannot_be_skipped(sandbox, bot, store, admin):
    group, [budi] = await officers(sandbox, store, admin, "Budi")
    warga = sandbox.citizen()
    ref = await file_report(warga, category="Sampah")  # resolve_photo = "required"
    card = await next_alert(group)
    await group.tap(budi, "Selesai", message=card)
    question = await group.next_message()
    assert "Untuk 🗑️ Sampah foto wajib" in question.plain_text
    assert question.buttons == ["✖️ Batal"]  # no way round the photo
    assert "Berlaku 30 menit" in question.plain_text
    mention = next(e for e in question.raw["entities"] if e["type"] == "text_mention")
    assert mention["user"]["id"] == budi.user_id  # Telegram tells Budi he is asked
    await group.reply_to(question, budi, "Sudah diangkut tadi pagi")
    refused = await group.next_message()
    assert "foto “sesudah” wajib" in refused.plain_text
    answer = await group.press(budi, question, callback_data=f"question:{ref}:skip")
    assert answer.show_alert and "wajib" in answer.text
    assert (await store.reports.get(ref)).status == "new"
    await warga.expect_no_message(within=0.3)
    await group.reply_photo_to(question, budi, jpeg(7))
    assert "selesai oleh Budi" in (await group.next_edit(question)).plain_text
    told = await warga.next_message()
    assert told.kind == "photo" and "sudah diselesaikan petugas" in told.plain_text
    assert (await store.reports.get(ref)).status == "resolved"


async def test_an_optional_after_photo_can_be_skipped_with_a_reason(sandbox, bot, store, admin):
    group, [budi] = await officers(sandbox, store, admin, "Budi")
    warga = sandbox.citizen()
    ref = await file_report(warga)  # a flood: the water is gone, there may be nothing to show
    card = await next_alert(group)
    await group.tap(budi, "Selesai", message=card)
    question = await group.next_message()
    assert question.buttons == ["⏭️ Tanpa foto", "✖️ Batal"]
    await group.tap(budi, "Tanpa foto", message=question)
    question = await group.next_edit(question)
    assert f"mengapa laporan #{ref} selesai tanpa foto" in question.plain_text
    assert question.buttons == ["✖️ Batal"]
    await group.reply_to(question, budi, "Air sudah surut, pompa sudah diangkat")
    done = await group.next_edit(question)
    assert f"Laporan #{ref} selesai oleh Budi tanpa foto: Air sudah surut" in done.plain_text
    told = await warga.next_message()
    assert told.kind == "text" and "sudah diselesaikan petugas" in told.plain_text
    assert "💬 Air sudah surut, pompa sudah diangkat" in told.plain_text
    events = await store.reports.events(ref)
    assert (events[-1].new_status, events[-1].photo_file_id) == ("resolved", None)


async def test_the_questions_in_english(sandbox, make_bot, admin):
    bot = await make_bot(DEFAULT_LANGUAGE="en")
    group, [budi] = await officers(sandbox, bot.services.store, admin, "Budi")
    ref = await file_report(sandbox.citizen())
    card = await next_alert(group)
    await group.tap(budi, "Resolved", message=card)
    question = await group.next_message()
    assert f"reply to this message with an “after” photo of report #{ref}" in question.plain_text
    assert question.buttons == ["⏭️ No photo", "✖️ Cancel"]
    await group.tap(budi, "No photo", message=question)
    question = await group.next_edit(question)
    assert f"why is report #{ref} resolved without a photo" in question.plain_text
    await group.tap(budi, "Cancel", message=question)
    cancelled = await group.next_edit(question)
    assert f"Cancelled by Budi: report #{ref} is unchanged." in cancelled.plain_text
    await group.reply_to(question, budi, "too late")
    assert "This question was cancelled" in (await group.next_message()).plain_text


async def test_a_question_can_be_cancelled_and_lapses(sandbox, bot, store, admin):
    group, [budi] = await officers(sandbox, store, admin, "Budi")
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    await group.tap(budi, "Tolak", message=card)
    question = await group.next_message()
    answer = await group.tap(budi, "Batal", message=question)
    assert answer.text == "Dibatalkan."
    cancelled = await group.next_edit(question)
    assert f"Dibatalkan oleh Budi: laporan #{ref} tidak diubah" in cancelled.plain_text
    assert cancelled.buttons == []
    await group.reply_to(question, budi, "Bukan wewenang kami")
    assert "sudah dibatalkan" in (await group.next_message()).plain_text
    assert (await store.reports.get(ref)).status == "new"

    await group.tap(budi, "Selesai", message=card)
    question = await group.next_message()
    await asked(store, question)
    bot.services.clock.advance(timedelta(minutes=31))
    await group.reply_photo_to(question, budi, jpeg(8))
    lapsed = await group.next_message()
    assert "sudah lewat 30 menit" in lapsed.plain_text and "Tekan lagi" in lapsed.plain_text
    assert (await store.reports.get(ref)).status == "new"
    await warga.expect_no_message(within=0.3)
    await group.tap(budi, "Selesai", message=card)  # asked again, it counts again
    question = await group.next_message()
    await group.reply_photo_to(question, budi, jpeg(8))
    assert "selesai oleh Budi" in (await group.next_edit(question)).plain_text


async def test_another_officer_meanwhile_is_told_who_is_on_it(sandbox, bot, store, admin):
    group, [budi, sari] = await officers(sandbox, store, admin, "Budi", "Sari")
    ref = await file_report(sandbox.citizen())
    card = await next_alert(group)
    await group.tap(budi, "Selesai", message=card)
    question = await group.next_message()
    for button in ("Selesai", "Tolak", "Duplikat"):
        answer = await group.tap(sari, button, message=card)
        assert answer.show_alert, button
        assert f"Budi sedang menyelesaikan laporan #{ref}" in answer.text and "WIB" in answer.text
    await group.expect_no_message(within=0.3)  # no second question
    await group.reply_photo_to(question, sari, jpeg(9))
    assert "untuk petugas yang menekan tombolnya" in (await group.next_message()).plain_text
    answer = await group.press(sari, question, callback_data=f"question:{ref}:cancel")
    assert answer.show_alert and "untuk petugas yang menekan" in answer.text
    assert "Diterima" in (await group.tap(sari, "Terima", message=card)).text  # not closing
    card = await group.next_edit(card)
    await group.reply_photo_to(question, budi, jpeg(10))
    assert "selesai oleh Budi" in (await group.next_edit(question)).plain_text
    assert (await store.reports.get(ref)).status == "resolved"


async def test_answers_posted_without_replying(sandbox, bot, store, admin):
    """Only seen where the bot may read the group; taken when they can only be an answer."""
    group, [budi] = await officers(sandbox, store, admin, "Budi")
    stranger = sandbox.citizen(first_name="Tetangga")
    group.add_member(stranger)
    flood = await file_report(sandbox.citizen())
    flood_card = await next_alert(group)
    garbage = await file_report(sandbox.citizen(), category="Sampah")
    garbage_card = await next_alert(group)

    await group.tap(budi, "Tolak", message=flood_card)
    question = await group.next_message()
    await group.send(budi, "Bukan wewenang kelurahan")  # privacy mode: Telegram hides it
    await group.expect_no_message(within=0.5)
    assert (await store.reports.get(flood)).status == "new"

    group.set_bot_status("administrator")  # now the bot reads the group
    await group.send(stranger, "Wah banjir lagi ya")
    await group.expect_no_message(within=0.5)  # the group's own conversation
    await group.send(budi, "Bukan wewenang kelurahan, sudah ke PLN")
    taken = await group.next_message()
    assert f"jawaban untuk laporan #{flood}" in taken.plain_text
    assert (
        f"Laporan #{flood} ditolak: Bukan wewenang" in (await group.next_edit(question)).plain_text
    )
    assert (await store.reports.get(flood)).status == "rejected"

    await group.tap(budi, "Selesai", message=garbage_card)
    question = await group.next_message()
    await group.send(budi, "sebentar, saya foto dulu")
    hint = await group.next_message()
    assert f"pertanyaan laporan #{garbage}, balas (reply)" in hint.plain_text
    assert "foto “sesudah”" in hint.plain_text
    await group.send_photo(budi, jpeg(11))
    assert f"jawaban untuk laporan #{garbage}" in (await group.next_message()).plain_text
    assert "selesai oleh Budi" in (await group.next_edit(question)).plain_text
    assert (await store.reports.get(garbage)).status == "resolved"
    await group.send(budi, "Terima kasih semua")  # nothing open: just talk
    await group.expect_no_message(within=0.5)


async def test_two_open_questions_need_a_reply(sandbox, bot, store, admin):
    group, [budi] = await officers(sandbox, store, admin, "Budi")
    group.set_bot_status("administrator")
    first = await file_report(sandbox.citizen())
    first_card = await next_alert(group)
    second = await file_report(sandbox.citizen(), category="Sampah")
    second_card = await next_alert(group)
    await group.tap(budi, "Tolak", message=first_card)
    await group.next_message()
    await group.tap(budi, "Tolak", message=second_card)
    await group.next_message()
    await group.send(budi, "Bukan wewenang kelurahan")
    hint = await group.next_message()
    assert f"2 pertanyaan terbuka (#{first}, #{second})" in hint.plain_text
    assert {(await store.reports.get(ref)).status for ref in (first, second)} == {"new"}


async def test_a_duplicate_shows_its_original_and_refuses_closed_ones(sandbox, bot, store, admin):
    group, [budi, sari] = await officers(sandbox, store, admin, "Budi", "Sari")
    refs = {}
    # "closed" is resolved without an after photo below: a category that allows that
    for name, category in (("open", "Banjir"), ("rejected", "Sampah"), ("closed", "Parkir liar")):
        refs[name] = await file_report(sandbox.citizen(), category=category)
        await next_alert(group)
    cases = bot.services.cases
    await cases.change_status(refs["rejected"], "rejected", AGENCY, note="Bukan wewenang")
    await cases.change_status(refs["closed"], "resolved", AGENCY)
    await cases.change_status(refs["closed"], "closed", AGENCY)
    refs["folded"] = await file_report(sandbox.citizen(), category="Lampu jalan mati")
    await next_alert(group)
    await cases.change_status(
        refs["folded"], "duplicate", AGENCY, duplicate_of=refs["open"], may_touch_original=_any
    )
    warga = sandbox.citizen()
    copy = await file_report(warga, category="Pohon tumbang")
    card = await next_alert(group)
    await group.tap(budi, "Duplikat", message=card)
    question = await group.next_message()
    for name, says in (
        ("rejected", "sudah berstatus ⛔ Ditolak: tidak bisa dijadikan laporan asli"),
        ("closed", "sudah berstatus 📁 Ditutup"),
        ("folded", f"sendiri duplikat dari #{refs['open']}"),
    ):
        await group.reply_to(question, budi, str(refs[name]))
        assert says in (await group.next_message()).plain_text, name
    await group.reply_to(question, budi, f"{refs['open']}")
    proposal = await group.next_edit(question)
    assert f"#{refs['open']} · 🌊 Banjir" in proposal.plain_text
    assert "Status: 🆕 Baru" in proposal.plain_text and "📍 Kel. Gambir" in proposal.plain_text
    answer = await group.tap(sari, "Ya, duplikat", message=proposal)
    assert answer.show_alert and "untuk petugas yang menekan" in answer.text
    await group.tap(budi, "Batal", message=proposal)
    assert "tidak diubah" in (await group.next_edit(question)).plain_text
    assert (await store.reports.get(copy)).status == "new"
    await warga.expect_no_message(within=0.3)

    await group.tap(budi, "Duplikat", message=card)
    question = await group.next_message()
    await group.reply_to(question, budi, f"#{refs['open']}")
    proposal = await group.next_edit(question)
    await cases.change_status(refs["open"], "rejected", AGENCY, note="Salah lokasi")
    answer = await group.tap(budi, "Ya, duplikat", message=proposal)  # checked again: refused
    assert answer.show_alert and "tidak bisa dijadikan laporan asli" in answer.text
    assert (await store.reports.get(copy)).status == "new"


async def test_a_duplicate_in_english(sandbox, make_bot, admin):
    bot = await make_bot(DEFAULT_LANGUAGE="en")
    store = bot.services.store
    group, [budi] = await officers(sandbox, store, admin, "Budi")
    original = await file_report(sandbox.citizen(), where=KOTA_TUA)  # Pinangsia's, not Budi's
    ours = await file_report(sandbox.citizen(), category="Sampah")
    card = await next_alert(group)
    other = await file_report(sandbox.citizen(), where=(-6.1800, 106.8272))
    await next_alert(group)
    await group.tap(budi, "Duplicate", message=card)
    question = await group.next_message()
    await group.reply_to(question, budi, f"#{original}")
    assert "outside your area" in (await group.next_message()).plain_text
    await group.reply_to(question, budi, f"#{other}")
    proposal = await group.next_edit(question)
    assert f"mark report #{ours} as a duplicate of this report?" in proposal.plain_text
    assert proposal.buttons == [f"✅ Yes, duplicate of #{other}", "✖️ Cancel"]
    await group.tap(budi, "Yes, duplicate", message=proposal)
    done = await group.next_edit(question)
    assert f"marked as a duplicate of #{other}" in done.plain_text
    assert (await store.reports.get(ours)).duplicate_of == other


async def _any(_report) -> bool:
    return True


async def test_old_questions_are_deleted_with_old_messages(sandbox, bot, store, admin):
    group, [budi] = await officers(sandbox, store, admin, "Budi")
    await file_report(sandbox.citizen())
    card = await next_alert(group)
    await group.tap(budi, "Tolak", message=card)
    question = await group.next_message()
    await asked(store, question)
    retention = Retention(bot.settings, store.db)
    assert "questions" not in await retention.run(datetime.now(UTC))
    later = datetime.now(UTC) + timedelta(days=bot.settings.retention_days + 1)
    assert (await retention.run(later))["questions"] == 1
    assert await store.questions.at(question.chat_id, question.message_id) is None
