"""An alert is one message: the report's first photo with the card as its caption and the status
buttons (a text card when there is no photo), the other photos after it as a reply, the place a
map link. Changes edit that one message; a reopened report's old card says so and loses its
buttons. Counted in Bot API calls and messages, before (album, pin, card) and now."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.cases import Actor
from tests.helpers import (
    DESCRIPTION,
    MONAS,
    at_location_step,
    file_report,
    jpeg,
    map_link,
    osm,
    reference_in,
)
from tests.test_groups import (
    GAMBIR,
    linked_group,
    next_alert,
    next_alert_parts,
    officer_for,
    resolve_from,
)

FAST = {"SWEEP_SECONDS": "0.2", "OUTBOX_POLL_SECONDS": "0.3", "QUIET_HOURS": "off"}
#: A category per report, so the reports are not "the same problem nearby" of each other.
CATEGORIES = ("Banjir", "Sampah", "Jalan rusak", "Lampu jalan mati")
#: Measured on main before this change (same test, same sandbox): Bot API calls to the group
#: and messages it got, per alert by its number of photos; and for a status change.
BEFORE = {
    "alert": {0: (2, 2), 1: (3, 3), 2: (3, 4), 3: (3, 5)},  # (calls, messages)
    "acknowledge": 3,  # answer the press, edit the card, tell the citizen
    "resolve": 7,  # answer, question, card edit, "resolved" to the citizen, "photo added",
    #               the photo to the citizen, a second card edit
}


def spent(sandbox, since: int, *chats: int) -> list[str]:
    """The Bot API methods the bot called since ``since`` for these chats (and button
    answers, which name no chat), sorted."""
    wanted = {*chats, None}
    return sorted(
        call.method
        for call in sandbox.calls[since:]
        # getFile: the evidence job downloading the photos it keeps (sends nothing)
        if call.method not in ("getUpdates", "getFile") and call.chat_id in wanted
    )


async def test_messages_per_alert_and_per_status_change(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    group.add_member(officer)
    cards = {}
    figures = []
    for photos, category in enumerate(CATEGORIES):
        warga = sandbox.citizen()
        ref = await file_report(warga, photos=photos, category=category)
        before, seen = len(sandbox.calls), len(group.messages)
        card, rest = await next_alert_parts(group)
        await group.expect_no_message(within=0.5)
        calls = spent(sandbox, before, group.chat_id)
        messages = len(group.messages) - seen
        figures.append(f"alert, {photos} photo(s): {len(calls)} calls, {messages} message(s)")
        assert messages == max(1, photos) and len(rest) == max(0, photos - 1)
        assert card.kind == ("photo" if photos else "text") and "sendVenue" not in calls
        assert (len(calls), messages) <= BEFORE["alert"][photos]
        cards[ref] = (card, warga)
    ref = next(iter(cards))
    card, warga = cards[ref]
    before = len(sandbox.calls)
    await group.tap(officer, "Terima", message=card)
    await group.next_edit(card)
    await warga.next_message()
    calls = spent(sandbox, before, group.chat_id, warga.chat_id)
    figures.append(f"acknowledge: {len(calls)} calls, 0 group messages, 1 to the citizen")
    assert calls == ["answerCallbackQuery", "editMessageText", "sendMessage"]  # a text card

    ref, (card, warga) = list(cards.items())[1]  # a photo card: its caption is edited
    seen, told = len(group.messages), len(warga.messages)
    before = len(sandbox.calls)
    await resolve_from(group, officer, card)
    await group.next_edit(card)
    await warga.next_message()
    await warga.expect_no_message(within=0.5)
    calls = spent(sandbox, before, group.chat_id, warga.chat_id)
    group_messages, citizen_messages = len(group.messages) - seen, len(warga.messages) - told
    figures.append(
        f"resolve with the after photo: {len(calls)} calls, {group_messages} group"
        f" message(s), {citizen_messages} to the citizen"
    )
    assert calls == [
        "answerCallbackQuery",  # the press
        "editMessageCaption",  # the card
        "editMessageText",  # the question becomes its outcome
        "sendMessage",  # the question
        "sendPhoto",  # the citizen: resolved, with the photo
    ]
    assert (group_messages, citizen_messages) == (1, 1) and len(calls) < BEFORE["resolve"]
    print("\n".join(["", *figures]))


async def test_the_card_shows_when_the_sla_runs_out_and_then_that_it_is_overdue(
    sandbox, make_bot, admin
):
    bot = await make_bot(**FAST)
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)  # a flood: 6 hours to acknowledge
    card = await next_alert(group)
    report = await store.reports.get(ref)
    reported = datetime.fromisoformat(report.created_at).astimezone(bot.settings.tz)
    started = datetime.fromisoformat(report.sla_started_at).astimezone(bot.settings.tz)
    deadline = (started + timedelta(hours=6)).strftime("%d/%m %H:%M")
    assert f"🕒 Dilaporkan {reported:%d/%m %H:%M} WIB" in card.plain_text
    assert f"⏱️ Batas SLA {deadline} WIB" in card.plain_text
    assert "lewat SLA" not in card.plain_text
    assert map_link(card) == osm(*MONAS) and report.lat == MONAS[0]
    bot.services.clock.advance(timedelta(hours=6, minutes=1))
    reminder = await group.next_message()
    assert reminder.reply_to_message_id == card.message_id
    card = await group.next_edit(card)  # the reminder refreshes the card
    assert f"⏱️ Batas SLA {deadline} WIB · ⚠️ lewat SLA" in card.plain_text
    await group.tap(admin, "Terima", message=card)
    card = await group.next_edit(card)  # acknowledged: the SLA is met, its line goes
    assert "Batas SLA" not in card.plain_text and "Status: 👀 Diterima" in card.plain_text


async def test_the_card_in_english(sandbox, make_bot, admin):
    bot = await make_bot(DEFAULT_LANGUAGE="en")
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    await file_report(sandbox.citizen(), photos=3)
    card, rest = await next_alert_parts(group)
    assert card.kind == "photo" and [m.kind for m in rest] == ["media_group"] * 2
    assert "🗺️ Open map" in card.plain_text and map_link(card) == osm(*MONAS)
    assert "🕒 Reported " in card.plain_text and "⏱️ SLA deadline " in card.plain_text
    assert "📷 Photo 1 of 3; the rest in the reply to this card" in card.plain_text
    assert "More photos of report" in rest[0].plain_text
    assert all(m.reply_to_message_id == card.message_id for m in rest)


async def test_a_long_report_still_fits_a_caption_and_keeps_its_facts(sandbox, bot, store, admin):
    """A 1,000-character description and a 700-character note cannot both fit 1,024: the
    description is shortened, and then the note, never the number, place, times or status."""
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    group.add_member(officer)
    words = ("Air setinggi lutut menutup jalan di depan pintu timur sejak subuh " * 16)[:1000]
    ref = await file_report(sandbox.citizen(), description=words)
    card = await next_alert(group)
    assert card.kind == "photo" and len(card.raw["caption"]) <= 1024
    assert "…" in card.plain_text  # the description, shortened
    await group.reply_to(card, officer, "Pompa " + "sedang dipasang di dua titik " * 24)
    await group.next_message()  # "note added"
    card = await group.next_edit(card)
    caption = card.raw["caption"]
    assert len(caption) <= 1024
    for fact in (f"Laporan #{ref}", "Kel. Gambir", "🕒 Dilaporkan", "⏱️ Batas SLA", "Status:"):
        assert fact in caption, caption
    assert "Terakhir: 🆕 Baru oleh Budi" in caption and "💬 Pompa sedang dipasang" in caption
    assert map_link(card) == osm(*MONAS)
    edits = sandbox.calls_to("editMessageCaption")
    assert edits and all(call.ok for call in edits)


async def test_a_reopened_report_retires_its_old_card(sandbox, make_bot, admin):
    """Only one live card per report and group: the old one says the report was reopened and
    loses its buttons; the new one carries them."""
    bot = await make_bot(**FAST)
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga, photos=2)
    old, _ = await next_alert_parts(group)
    await resolve_from(group, admin, old)
    await group.next_edit(old)
    await warga.next_message()  # resolved, with the photo
    await bot.services.cases.change_status(ref, "reopened", Actor("citizen", warga.user_id, None))
    new, rest = await next_alert_parts(group)
    assert new.kind == "photo" and "Status: ♻️ Dibuka lagi" in new.plain_text
    assert "👀 Terima" in new.buttons and len(rest) == 1
    assert old.buttons == [] and "Laporan dibuka lagi" in old.plain_text
    assert "kartu baru di bawah" in old.plain_text
    live = [m for m in group.messages if m.buttons and f"Laporan #{ref}" in m.plain_text]
    assert live == [new]
    assert (await store.alerts.card(ref, group.chat_id)).message_id == new.message_id
    # A press on the old card's forged button changes the report but never revives that card.
    answer = await group.press(admin, old, callback_data=f"status:{ref}:acknowledged")
    assert "Diterima" in answer.text
    await group.next_edit(new)
    assert old.buttons == [] and "👀 Diterima" in new.plain_text
    answer = await group.press(admin, old, callback_data=f"status:{ref}:acknowledged")
    assert "sudah berstatus" in answer.text  # a stale press refreshes only the live card
    await group.expect_no_message(within=0.3)
    assert old.buttons == [] and "Laporan dibuka lagi" in old.plain_text


async def test_a_reply_to_the_cards_other_photos_is_a_note(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga, photos=2)
    _, [second] = await next_alert_parts(group)
    await group.reply_to(second, admin, "Sudah kami lihat fotonya")
    assert f"Catatan ditambahkan ke laporan #{ref}" in (await group.next_message()).plain_text
    assert "Sudah kami lihat fotonya" in (await warga.next_message()).plain_text


async def test_a_photo_sent_as_a_file_still_gets_a_card(sandbox, bot, store, admin):
    """A citizen may send the picture as a file; Telegram will not send a file as a photo, and
    that must not cost the group its alert: the card goes as a text, or as a photo when the
    evidence job has already kept the file's bytes (they upload as a photo)."""
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.share_location(*MONAS)
    await warga.next_message()
    await warga.send_document(
        jpeg(5), file_name="banjir.jpg", mime_type="image/jpeg", caption=DESCRIPTION
    )
    await warga.next_message()  # the summary
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    assert [p.role for p in await store.reports.photos(ref)] == ["citizen"]  # kept as its photo
    card = await next_alert(group)
    assert card.kind in ("text", "photo") and f"Laporan #{ref}" in card.plain_text
    assert card.buttons[0] == "👀 Terima" and map_link(card) == osm(*MONAS)
    if card.kind == "text":  # the file id was tried as a photo and refused, then the text went
        assert any("can't use file" in (c.error or "") for c in sandbox.calls_to("sendPhoto"))
    await group.tap(admin, "Terima", message=card)
    assert "👀 Diterima" in (await group.next_edit(card)).plain_text  # edited as it was sent


async def test_help_in_a_group_is_the_officers_help(sandbox, make_bot, admin):
    for language, marks in (
        ("id", ("Bantuan petugas", "membalas (reply)", "/move 1042", "/weblogin", "✅ Selesai")),
        ("en", ("Officers' help", "replying", "/move 1042", "/weblogin", "✅ Resolved")),
    ):
        bot = await make_bot(DEFAULT_LANGUAGE=language)
        group = await linked_group(sandbox, bot.services.store, admin, GAMBIR)
        lurah = sandbox.citizen(first_name="Lurah")
        await group.send(lurah, "/help")
        answer = await group.next_message()
        assert all(mark in answer.plain_text for mark in marks), answer.plain_text
        assert len(answer.plain_text.splitlines()) <= 10
        assert "@wargalapor_test_bot" in answer.plain_text
        await bot.stop()
