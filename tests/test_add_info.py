"""After filing, the reporter adds a text or a photo to their report — by replying to one of the
bot's messages about it, or with "➕ Tambah info" — and the officers see it: a notice in their
group (a reply to the card), the card itself, the staff page."""

from __future__ import annotations

import asyncio

from bot.domain.additions import MAX_ADDED_PHOTOS, MAX_PER_HOUR
from bot.domain.cases import Actor, anywhere
from storage.citizen_updates import ReportMessageRepository
from storage.db import Database, migrations
from tests.helpers import file_report, jpeg
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for, resolve_from
from tests.test_staff_pages import BASE, signed_in

#: Calls that send nothing: the long poll, and the evidence job downloading the photos it keeps.
NOT_SENDING = ("getUpdates", "getFile")
MORE = "Airnya sudah sampai pinggang sekarang, dua mobil mogok"


async def acknowledged(sandbox, store, admin, warga, **report):
    """A report in Gambir, its card in the group, acknowledged: the reporter has the follow-up."""
    group = await linked_group(sandbox, store, admin, GAMBIR)
    ref = await file_report(warga, **report)
    card = await next_alert(group)
    await group.tap(admin, "Terima", message=card)
    await group.next_edit(card)
    followup = await warga.next_message()
    assert "sudah diterima petugas" in followup.plain_text
    return ref, group, card, followup


async def outbox_settled(store, chat_id: int) -> None:
    """Until nothing for ``chat_id`` waits in the outbox, so the calls counted next are only
    those of what the test does after."""
    for _ in range(100):
        rows = await store.outbox.rows(chat_id=chat_id)
        if all(row.state not in ("pending", "sending") for row in rows):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the outbox for {chat_id} never settled")


async def test_a_reply_to_a_follow_up_adds_the_text_for_the_officers(sandbox, bot, store, admin):
    warga = sandbox.citizen()
    neighbour = sandbox.citizen(started=True)
    ref, group, card, followup = await acknowledged(sandbox, store, admin, warga)
    await bot.services.cases.follow(ref, neighbour.user_id)
    await group.next_edit(card)  # "1 warga lain…"
    before = len(sandbox.calls)
    await warga.send(MORE, reply_to=followup)
    answer = await warga.next_message()
    assert f"➕ Ditambahkan ke laporan #{ref}" in answer.plain_text
    notice = await group.next_message()
    assert notice.reply_to_message_id == card.message_id
    assert f"Tambahan dari pelapor untuk laporan #{ref}" in notice.plain_text
    assert MORE in notice.plain_text
    edited = await group.next_edit(card)
    assert "➕ 1 tambahan dari pelapor" in edited.plain_text and MORE in edited.plain_text
    assert "Terakhir: 👀 Diterima oleh" in edited.plain_text  # still the officers' last change
    spent = sorted(c.method for c in sandbox.calls[before:] if c.method not in NOT_SENDING)
    assert spent == ["editMessageCaption", "sendMessage", "sendMessage"]  # answer, notice, card
    [added] = await store.citizen_updates.for_report(ref)
    assert added.note == MORE and added.photo_file_id is None
    event = (await store.reports.events(ref))[-1]
    assert (event.actor_kind, event.note, event.new_status) == ("citizen", MORE, "acknowledged")
    assert await store.drafts.get(warga.user_id) is None  # no new report was started
    await neighbour.expect_no_message(within=0.5)  # for the officers, not the followers
    await group.reply_to(notice, admin, "Tim pompa segera ke lokasi")  # as to the card: a note
    assert "Catatan ditambahkan" in (await group.next_message()).plain_text
    note = await warga.next_message()
    assert "Catatan petugas" in note.plain_text and "Tim pompa segera" in note.plain_text
    await warga.send(f"/status {ref}")
    assert f"➕ Tambahan Anda: {MORE}" in (await warga.next_message()).plain_text
    await neighbour.next_message()  # the officers' note reached the follower
    await neighbour.send(f"/status {ref}")
    theirs = (await neighbour.next_message()).plain_text
    assert MORE not in theirs and theirs.count("\n• ") == 3  # new, acknowledged, the note


async def test_the_staff_page_shows_the_additions(sandbox, make_bot, admin):
    bot = await make_bot(WEB_BASE_URL=BASE)
    store = bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    await warga.send_photo(
        jpeg(5), caption="Sudah masuk ke rumah warga", reply_to=warga.last_message
    )
    assert "Ditambahkan" in (await warga.next_message()).plain_text
    [added] = await store.citizen_updates.for_report(ref)
    async with signed_in(bot, officer) as web:
        page = (await web.get(f"/staff/reports/{ref}")).text
        assert "➕ Tambahan dari pelapor" in page and "Sudah masuk ke rumah warga" in page
        assert f"/staff/photos/{added.photo_file_id}" in page
        photo = await web.get(f"/staff/photos/{added.photo_file_id}")
        assert photo.status_code == 200 and photo.content == jpeg(5)


async def test_a_photo_reply_to_the_reference_adds_the_photo_in_english(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    reference = warga.last_message  # "✅ Laporan #… diterima"
    assert f"#{ref}" in reference.plain_text
    card = await next_alert(group)
    await warga.send("/language")
    choice = await warga.next_message()
    await warga.tap("English", message=choice)
    await warga.next_edit(choice)
    await warga.send_photo(jpeg(7), caption="The water is rising fast", reply_to=reference)
    answer = await warga.next_message()
    assert f"➕ Added to report #{ref}" in answer.plain_text
    notice = await group.next_message()
    assert notice.kind == "photo" and notice.reply_to_message_id == card.message_id
    assert "Tambahan dari pelapor" in notice.plain_text  # the groups' language
    assert "The water is rising fast" in notice.plain_text and "📷 1 foto" in notice.plain_text
    assert sandbox.world.files[notice.photo].data == jpeg(7)  # the very photo, forwarded
    edited = await group.next_edit(card)
    assert "➕ 1 tambahan dari pelapor" in edited.plain_text
    [added] = await store.citizen_updates.for_report(ref)
    assert added.note == "The water is rising fast" and added.photo_file_id is not None
    roles = [photo.role for photo in await store.reports.photos(ref)]
    assert roles == ["citizen", "update"]  # not an officer's "after" photo
    assert await store.drafts.get(warga.user_id) is None  # the photo started no report


async def test_the_add_information_button_on_status_and_follow_ups(sandbox, bot, store, admin):
    warga = sandbox.citizen()
    ref, group, _card, followup = await acknowledged(sandbox, store, admin, warga)
    assert "➕ Tambah info" in followup.buttons
    await warga.send(f"/status {ref}")
    status = await warga.next_message()
    assert f"Laporan #{ref}" in status.plain_text and "➕ Tambah info" in status.buttons
    await warga.tap("Tambah info", message=status)
    prompt = await warga.next_message()
    assert f"Kirim teks atau foto untuk laporan #{ref}" in prompt.plain_text
    assert prompt.buttons == ["✖️ Batal"]
    await warga.send_photo(jpeg(8))  # not a reply: the prompt says what it is for
    assert f"Ditambahkan ke laporan #{ref}" in (await warga.next_message()).plain_text
    assert await store.drafts.get(warga.user_id) is None  # not the start of a new report
    assert (await group.next_message()).kind == "photo"
    await warga.send("Satu lagi: got di ujung gang juga mampet")  # the prompt was answered
    assert "Mau melaporkan sesuatu?" in (await warga.next_message()).plain_text

    await warga.tap("Tambah info", message=followup)
    prompt = await warga.next_message()
    await warga.tap("Batal", message=prompt)
    assert "tidak jadi menambah info" in (await warga.next_edit(prompt)).plain_text
    await warga.send("Terima kasih atas tindak lanjutnya, Pak")
    assert "Mau melaporkan sesuatu?" in (await warga.next_message()).plain_text
    await warga.tap("Tambah info", message=followup)
    await warga.next_message()
    await warga.send("/cancel")
    assert f"tidak jadi menambah info ke laporan #{ref}" in (await warga.next_message()).plain_text
    assert len(await store.citizen_updates.for_report(ref)) == 1
    await warga.send("/language")
    choice = await warga.next_message()
    await warga.tap("English", message=choice)
    await warga.next_edit(choice)
    await warga.tap("Tambah info", message=status)  # an older answer: now asked in English
    prompt = await warga.next_message()
    assert f"Send a text or a photo for report #{ref} now" in prompt.plain_text
    await warga.send("ok")
    assert "too short (2 characters)" in (await warga.next_message()).plain_text
    await warga.send("The drain at the end of the alley is blocked too")
    assert f"Added to report #{ref}" in (await warga.next_message()).plain_text


async def test_only_the_reporter_may_add(sandbox, bot, store, admin):
    warga = sandbox.citizen()
    neighbour = sandbox.citizen(first_name="Tetangga", started=True)
    visitor = sandbox.citizen(first_name="Visitor", language_code="en")
    await visitor.send("/start")  # known to the bot, in their app's language
    await visitor.next_message()
    group = await linked_group(sandbox, store, admin, GAMBIR)
    ref = await file_report(warga)
    card = await next_alert(group)
    await bot.services.cases.follow(ref, neighbour.user_id)
    await bot.services.cases.follow(ref, visitor.user_id)
    await group.tap(admin, "Terima", message=card)
    theirs = await neighbour.next_message()
    assert "sudah diterima" in theirs.plain_text and "➕ Tambah info" not in theirs.buttons
    assert "➕ Tambah info" in (await warga.next_message()).buttons
    await neighbour.send("Di rumah saya juga banjir, Pak", reply_to=theirs)
    refused = await neighbour.next_message()
    assert f"Hanya pelapor laporan #{ref}" in refused.plain_text and "/report" in refused.plain_text
    forged = await neighbour.press(theirs, f"add-info:{ref}:add")
    assert forged.show_alert and f"Hanya pelapor laporan #{ref}" in forged.text
    await neighbour.expect_no_message(within=0.3)
    await neighbour.send("Di rumah saya juga banjir, Pak")  # no prompt was opened for them
    assert "Mau melaporkan sesuatu?" in (await neighbour.next_message()).plain_text
    english = await visitor.next_message()
    assert "was received by" in english.plain_text and "➕ Add information" not in english.buttons
    await visitor.send_photo(jpeg(3), reply_to=english)
    refused = await visitor.next_message()
    assert f"Only the reporter of report #{ref}" in refused.plain_text
    assert await store.citizen_updates.for_report(ref) == []


async def test_rejected_and_resolved_reports_say_what_to_do(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    await group.tap(admin, "Tolak", message=card)
    question = await group.next_message()
    await group.reply_to(question, admin, "Bukan wewenang kelurahan, sudah diteruskan ke PLN")
    assert "ditolak" in (await group.next_edit(question)).plain_text
    rejected = await warga.next_message()
    assert "ditolak" in rejected.plain_text and "➕ Tambah info" not in rejected.buttons
    await warga.send("Tapi lampunya masih mati sampai sekarang", reply_to=rejected)
    answer = await warga.next_message()
    assert f"Laporan #{ref} berstatus ⛔ Ditolak" in answer.plain_text
    assert "Buat laporan baru dengan /report" in answer.plain_text
    assert await store.citizen_updates.for_report(ref) == []

    other = await file_report(warga, description="Got mampet di depan pasar sejak kemarin")
    card = await next_alert(group)
    await resolve_from(group, admin, card)
    resolved = await warga.next_message()
    assert "sudah diselesaikan" in resolved.plain_text and "➕ Tambah info" not in resolved.buttons
    await warga.send_photo(jpeg(9), reply_to=resolved)
    answer = await warga.next_message()
    assert f"Laporan #{other} sudah ditandai selesai" in answer.plain_text
    await warga.tap("Belum beres", message=answer)  # the way on: reopen, then the note
    assert "dibuka lagi" in (await warga.next_message()).plain_text
    assert (await store.reports.get(other)).status == "reopened"


async def test_an_album_gets_one_answer_and_one_notice(sandbox, bot, store, admin):
    warga = sandbox.citizen()
    ref, group, card, followup = await acknowledged(sandbox, store, admin, warga)
    await outbox_settled(store, group.chat_id)  # the acknowledgement's own card refresh is out
    # The first photo is the reply; Telegram may or may not mark the others as replies too.
    before = len(sandbox.calls)
    await warga.send_photo(
        jpeg(20), caption="Dari tiga sisi", media_group_id="a1", reply_to=followup
    )
    await warga.send_photo(jpeg(21), media_group_id="a1")
    await warga.send_photo(jpeg(22), media_group_id="a1", reply_to=followup)
    answer = await warga.next_message()
    assert f"Ditambahkan ke laporan #{ref}" in answer.plain_text
    album = [await group.next_message() for _ in range(3)]
    assert [m.kind for m in album] == ["media_group"] * 3
    assert len({m.media_group_id for m in album}) == 1
    assert album[0].reply_to_message_id == card.message_id
    assert "📷 3 foto" in album[0].plain_text and "Dari tiga sisi" in album[0].plain_text
    assert "➕ 1 tambahan dari pelapor" in (await group.next_edit(card)).plain_text
    await warga.expect_no_message(within=0.5)
    await group.expect_no_message(within=0.3)
    assert len(await store.citizen_updates.for_report(ref)) == 3
    assert await store.drafts.get(warga.user_id) is None
    spent = sorted(c.method for c in sandbox.calls[before:] if c.method not in NOT_SENDING)
    assert spent == ["editMessageCaption", "sendMediaGroup", "sendMessage"]  # 3 photos, 3 calls


async def test_limits_text_length_photos_and_rate(sandbox, bot, store, admin):
    warga = sandbox.citizen()
    ref, _group, _card, followup = await acknowledged(sandbox, store, admin, warga)
    await warga.send("x" * 1001, reply_to=followup)
    too_long = await warga.next_message()
    assert "terlalu panjang (1001 huruf, maksimal 1000)" in too_long.plain_text
    await warga.send("ok", reply_to=followup)
    assert "terlalu pendek (2 huruf)" in (await warga.next_message()).plain_text
    await warga.send_sticker(reply_to=followup)
    assert "teks atau foto" in (await warga.next_message()).plain_text
    await warga.send("Airnya naik lagi sejak subuh tadi")  # the next message, no reply needed
    assert f"Ditambahkan ke laporan #{ref}" in (await warga.next_message()).plain_text

    album = [jpeg(30 + i) for i in range(MAX_ADDED_PHOTOS + 2)]
    for photo in album:
        await warga.send_photo(photo, media_group_id="big", reply_to=followup)
    answer = await warga.next_message()
    assert f"Ditambahkan ke laporan #{ref}" in answer.plain_text
    edited = await warga.next_edit(answer)  # one answer, corrected: not a second message
    assert f"maksimal {MAX_ADDED_PHOTOS} foto tambahan" in edited.plain_text
    await warga.expect_no_message(within=0.5)
    photos = [u for u in await store.citizen_updates.for_report(ref) if u.photo_file_id]
    assert len(photos) == MAX_ADDED_PHOTOS
    await warga.send_photo(jpeg(99), reply_to=followup)
    assert "sudah mendapat 5 foto tambahan" in (await warga.next_message()).plain_text
    await warga.send_photo(album[0], reply_to=followup)
    assert "Foto ini sudah ada" in (await warga.next_message()).plain_text

    for i in range(MAX_PER_HOUR - 2):  # two additions so far: the text and the album
        await warga.send(f"Catatan tambahan nomor {i + 1} untuk petugas", reply_to=followup)
        assert "Ditambahkan" in (await warga.next_message()).plain_text
    await warga.send("Satu catatan lagi untuk petugas", reply_to=followup)
    limited = await warga.next_message()
    assert f"sudah mengirim {MAX_PER_HOUR} tambahan" in limited.plain_text
    assert "Coba lagi sekitar pukul" in limited.plain_text


async def test_replies_to_other_messages_and_drafts_keep_their_routes(sandbox, bot, store, admin):
    warga = sandbox.citizen()
    ref, _group, _card, followup = await acknowledged(sandbox, store, admin, warga)
    await warga.send("/start")
    welcome = await warga.next_message()
    await warga.send("Halo, ini pesan biasa", reply_to=welcome)  # about no report
    assert "Mau melaporkan sesuatu?" in (await warga.next_message()).plain_text

    await warga.send("/report")  # a new report under way
    await warga.next_message()
    await warga.send_photo(jpeg(40), reply_to=followup)  # about #ref, not the new draft
    assert f"Ditambahkan ke laporan #{ref}" in (await warga.next_message()).plain_text
    draft = await store.drafts.get(warga.user_id)
    assert draft is not None and not draft.photos
    await warga.tap("Tambah info", message=followup)
    prompt = await warga.next_message()
    assert "balas pesan ini" in prompt.plain_text  # plain messages belong to the draft
    await warga.send("Sampah menumpuk di pinggir jalan")
    assert "Pilih kategori" in (await warga.next_message()).plain_text
    await warga.send("Sekarang ada genangan baru di depan sekolah", reply_to=prompt)
    assert f"Ditambahkan ke laporan #{ref}" in (await warga.next_message()).plain_text
    assert len(await store.citizen_updates.for_report(ref)) == 2


async def test_migration_0014_keeps_replies_to_follow_ups_sent_before_it(tmp_path):
    """Follow-ups delivered before the upgrade are known by the outbox's sent_message_id."""
    db = Database(tmp_path / "old.sqlite3")
    await db.open(migrate=False)
    try:
        for version, _name, sql in migrations():
            if version < 14:
                await db.writer.executescript(f"{sql}\nPRAGMA user_version = {version};")
        now = "2026-01-01T00:00:00+00:00"
        await db.writer.executescript(
            f"INSERT INTO citizens (user_id, chat_id, created_at) VALUES (7, 7, '{now}');"
            "INSERT INTO categories (key, emoji, name_id, name_en, sla_hours, photo_required)"
            " VALUES ('flood', '🌊', 'Banjir', 'Flood', 24, 0);"
            "INSERT INTO reports (citizen_id, category_key, lat, lon, description, created_at,"
            f" updated_at) VALUES (7, 'flood', -6.17, 106.82, 'Banjir di depan', '{now}', '{now}');"
            "INSERT INTO outbox (chat_id, kind, state, sent_message_id, report_id, not_before,"
            f" created_at, sent_at) VALUES (7, 'followup', 'sent', 55, 1001, '{now}', '{now}',"
            f" '{now}'), (7, 'followup', 'pending', NULL, 1001, '{now}', '{now}', NULL),"
            f" (-100, 'alert_card', 'sent', 56, 1001, '{now}', '{now}', '{now}');"
        )
        assert "0014_citizen_updates.sql" in await db.migrate()
        messages = ReportMessageRepository(db)
        assert await messages.report_at(7, 55) == 1001
        assert await messages.report_at(-100, 56) is None  # a group's card is not a citizen's
    finally:
        await db.close()


async def test_what_the_prompt_and_a_duplicate_do_not_take(sandbox, bot, store, admin):
    warga = sandbox.citizen()
    ref, _group, _card, followup = await acknowledged(sandbox, store, admin, warga)
    await warga.tap("Tambah info", message=followup)
    await warga.next_message()
    await warga.send_document(b"%PDF-1.4 surat", caption="Surat dari RT soal banjir ini")
    assert "teks atau foto" in (await warga.next_message()).plain_text  # not just the caption
    await warga.share_location(-6.1760, 106.8280)  # a place: a new report, as ever
    offer = await warga.next_message()
    assert "Lokasi diterima — apa masalahnya?" in offer.plain_text
    assert await store.citizen_updates.for_report(ref) == []
    await warga.tap("Batal", message=offer)
    assert "dibatalkan" in (await warga.next_message()).plain_text

    copy = await file_report(warga, description="Banjir lagi di depan pintu timur Monas")
    reference = warga.last_message
    actor = Actor("officer", admin.user_id, "Admin")
    await bot.services.cases.change_status(
        copy, "duplicate", actor, duplicate_of=ref, may_touch_original=anywhere
    )
    await warga.send("Sekarang airnya sudah surut sedikit", reply_to=reference)
    merged = await warga.next_message()
    assert f"Laporan #{copy} digabung dengan laporan #{ref}" in merged.plain_text
    assert await store.citizen_updates.for_report(copy) == []
