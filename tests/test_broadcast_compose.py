"""Composing a broadcast as admins really write one: plain text with "<" and "&" goes out as
typed, Telegram HTML is kept, broken HTML is explained in the admin's language (never Telegram's
English), times such as "besok jam 7" or "Mon 08:30" are read in Jakarta time, and the
confirmation counts people."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from storage.groups import Scope
from tests.test_broadcasts import FAST, deliveries, registered
from tests.test_groups import GAMBIR, linked_group

JAKARTA = ZoneInfo("Asia/Jakarta")
#: Wednesday 25 November 2026, 10:15 in Jakarta: every time below is read from here.
NOW = datetime(2026, 11, 25, 10, 15, tzinfo=JAKARTA)


def at_now(bot, moment=NOW):
    """Move the bot's clock to ``moment`` (it keeps ticking from there)."""
    clock = bot.services.clock
    clock.advance(moment - clock.now())


async def in_english(admin):
    await admin.send("/language")
    choice = await admin.next_message()
    await admin.tap("English", message=choice)
    assert "English" in (await admin.next_edit(choice)).plain_text


async def write(admin, text, entities=None):
    """/broadcast, then ``text``: the bot's first answer to it."""
    await admin.send("/broadcast")
    await admin.next_message()
    await admin.send(text, entities=entities)
    return await admin.next_message()


async def to_everyone_now(admin, picker):
    """From the "who gets it" question: everyone, now."""
    await admin.tap("Semua warga", message=picker)
    await admin.tap("Kirim sekarang", message=await admin.next_message())


def no_telegram_words(message):
    for raw in ("parse", "entities", "Bad Request", "byte offset"):
        assert raw not in message.plain_text, message.plain_text


async def test_signs_in_plain_text_reach_residents_as_typed(sandbox, make_bot, admin):
    await make_bot(**FAST)
    [person] = await registered(sandbox, 1)
    typed = "Air surut < 30 cm & listrik menyala lagi; AT&T &lt; itu kode, <3 warga"
    preview = await write(admin, typed)
    assert preview.plain_text == typed  # what recipients will read, character for character
    picker = await admin.next_message()
    assert "Seperti ini pesan yang diterima warga" in picker.plain_text
    await to_everyone_now(admin, picker)
    received = await person.next_message(timeout=5)
    assert received.plain_text == typed and not received.raw.get("entities")


async def test_telegram_html_is_kept_as_formatting(sandbox, make_bot, admin):
    await make_bot(**FAST)
    [person] = await registered(sandbox, 1)
    typed = (
        '<b>Banjir</b> di Jl. A & B, tinggi < 50 cm. <a href="https://bpbd.jakarta.go.id">Info</a>'
    )
    preview = await write(admin, typed)
    assert preview.plain_text == "Banjir di Jl. A & B, tinggi < 50 cm. Info"
    kinds = [e["type"] for e in preview.raw["entities"]]
    assert kinds == ["bold", "text_link"]
    await to_everyone_now(admin, await admin.next_message())
    received = await person.next_message(timeout=5)
    assert received.text == preview.text


async def test_formatting_buttons_are_kept_and_typed_tags_then_shown(sandbox, make_bot, admin):
    """Bold made with Telegram's button arrives as an entity; a tag typed beside it is text."""
    await make_bot(**FAST)
    typed = "Awas banjir, pakai <b> kalau perlu"
    bold = {"type": "bold", "offset": 0, "length": 4}
    preview = await write(admin, typed, entities=[bold])
    assert preview.plain_text == typed
    assert [e["type"] for e in preview.raw["entities"]] == ["bold"]


async def test_a_link_telegram_found_does_not_make_tags_text(sandbox, make_bot, admin):
    """Telegram marks links in any text (a "url" entity); that is no formatting of the admin's,
    so their typed tags are still read as HTML."""
    await make_bot(**FAST)
    typed = "<b>Info</b>: https://jakarta.go.id"
    url = {"type": "url", "offset": 13, "length": 20}
    preview = await write(admin, typed, entities=[url])
    assert preview.plain_text == "Info: https://jakarta.go.id"
    assert preview.raw["entities"][0]["type"] == "bold"


async def test_a_photo_caption_is_read_the_same_way(sandbox, make_bot, admin):
    await make_bot(**FAST)
    await admin.send("/broadcast")
    await admin.next_message()
    typed = "Genangan < 20 cm & mulai surut"
    await admin.send_photo(caption=typed)
    preview = await admin.next_message()
    assert preview.kind == "photo" and preview.plain_text == typed
    assert "Seperti ini" in (await admin.next_message()).plain_text


async def test_broken_html_is_explained_and_can_go_as_typed(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    [person] = await registered(sandbox, 1)
    typed = "<b>Kerja bakti</b><br>Minggu 07.00"
    refusal = await write(admin, typed)
    assert "Telegram tidak mengenal tag <br>" in refusal.plain_text
    assert "kirim teksnya apa adanya" in refusal.plain_text
    no_telegram_words(refusal)
    assert refusal.buttons[0] == "📝 Kirim apa adanya"
    await admin.tap("Kirim apa adanya", message=refusal)
    preview = await admin.next_message()
    assert preview.plain_text == typed
    picker = await admin.next_message()
    assert "Seperti ini" in picker.plain_text
    await to_everyone_now(admin, picker)
    assert (await person.next_message(timeout=5)).plain_text == typed
    assert await bot.services.store.broadcast_drafts.get(admin.user_id) is None


async def test_broken_html_then_fixed_replaces_the_held_text(sandbox, make_bot, admin):
    await make_bot(**FAST)
    refusal = await write(admin, "<b>Awas</i> banjir")
    assert "tag <b> harus ditutup dengan </b>" in refusal.plain_text
    await admin.send("<b>Awas</b> banjir")
    preview = await admin.next_message()
    assert preview.plain_text == "Awas banjir"
    await admin.next_message()  # who gets it
    await admin.press(refusal.original.raw, callback_data="broadcast:plain")  # the old button
    assert "sudah tidak berlaku" in (await admin.next_message()).plain_text
    await admin.expect_no_message(within=0.5)  # no second preview


async def test_broken_html_in_english(sandbox, make_bot, admin):
    await make_bot(**FAST)
    await in_english(admin)
    refusal = await write(admin, "<b>Flood warning")
    assert "the tag <b> is never closed with </b>" in refusal.plain_text
    assert "Send as typed" in refusal.buttons[0]
    no_telegram_words(refusal)


async def test_a_refusal_by_telegram_is_told_in_the_admins_words(sandbox, make_bot, admin):
    """Whatever Telegram still refuses at the preview (its rules can change), the admin reads
    our sentence, not Telegram's English; nothing goes to anyone, and as typed is offered."""
    await make_bot(**FAST)
    [person] = await registered(sandbox, 1)
    await admin.send("/broadcast")
    await admin.next_message()
    sandbox.faults.fail_next("sendMessage", "400")
    await admin.send("<i>Pemadaman</i> listrik")
    refusal = await admin.next_message()
    assert "Telegram tidak mau menampilkan pesan ini" in refusal.plain_text
    no_telegram_words(refusal)
    await admin.tap("Kirim apa adanya", message=refusal)
    assert (await admin.next_message()).plain_text == "<i>Pemadaman</i> listrik"
    await person.expect_no_message(within=0.3)

    await in_english(admin)
    await admin.send("/broadcast")
    await admin.next_message()
    sandbox.faults.fail_next("sendMessage", "400")
    await admin.send("Plain words")
    refusal = await admin.next_message()
    assert "Telegram would not show this message" in refusal.plain_text
    assert refusal.buttons == []  # as typed is what failed: nothing else to offer
    no_telegram_words(refusal)


async def schedule(admin, text="Pemadaman listrik terjadwal", audience="Semua warga"):
    """Compose ``text`` for ``audience`` and press Schedule: the bot's question."""
    await write(admin, text)
    await admin.tap(audience, message=await admin.next_message())
    await admin.tap("Jadwal", message=await admin.next_message())
    return await admin.next_message()


def scheduled_at(broadcast):
    return datetime.fromisoformat(broadcast.scheduled_at).astimezone(UTC)


async def test_times_as_admins_write_them(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    at_now(bot)
    await registered(sandbox, 1)
    question = await schedule(admin)
    assert "besok jam 7 malam" in question.plain_text and "(WIB)" in question.plain_text

    await admin.send("secepatnya")
    examples = await admin.next_message()
    assert "belum saya pahami" in examples.plain_text
    for example in ("besok 07:00", "Senin 08.30", "1/12 19:00", "hari ini 19:00", "WIB"):
        assert example in examples.plain_text
    await admin.send("lusa")
    needs_time = await admin.next_message()
    assert "Jam berapa? Tambahkan jamnya, mis. lusa 07:00" in needs_time.plain_text
    await admin.send("hari ini 07:00")
    past = await admin.next_message()
    assert "Rabu, 25 November 2026 pukul 07.00 WIB sudah lewat" in past.plain_text
    assert await bot.services.store.broadcasts.recent() == []  # none of those scheduled one

    await admin.send("besok jam 7")
    done = await admin.next_message()
    assert "dijadwalkan pada Kamis, 26 November 2026 pukul 07.00 WIB" in done.plain_text
    [broadcast] = await bot.services.store.broadcasts.recent()
    assert scheduled_at(broadcast) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 07:00 WIB

    for typed, expected in (
        ("Senin 08.30", datetime(2026, 11, 30, 8, 30, tzinfo=JAKARTA)),
        ("1/12 19:00", datetime(2026, 12, 1, 19, 0, tzinfo=JAKARTA)),
        ("nanti jam 7 malam", datetime(2026, 11, 25, 19, 0, tzinfo=JAKARTA)),
    ):
        await schedule(admin)
        await admin.send(typed)
        assert "dijadwalkan pada" in (await admin.next_message()).plain_text, typed
        latest = (await bot.services.store.broadcasts.recent())[0]
        assert scheduled_at(latest) == expected, typed


async def test_times_in_english(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    at_now(bot)
    await registered(sandbox, 1)
    await in_english(admin)
    await admin.send("/broadcast")
    await admin.next_message()
    await admin.send("Water cut tomorrow")
    await admin.next_message()
    await admin.tap("All citizens", message=await admin.next_message())
    confirm = await admin.next_message()
    assert "It will go to 2 residents." in confirm.plain_text  # the citizen and the admin
    await admin.tap("Schedule", message=confirm)
    assert "tomorrow 7am" in (await admin.next_message()).plain_text
    await admin.send("whenever")
    assert "I did not understand that time" in (await admin.next_message()).plain_text
    await admin.send("today 9am")
    assert (
        "Wednesday 25 November 2026 at 09:00 WIB has already passed"
        in (await admin.next_message()).plain_text
    )
    await admin.send("Mon 08:30")
    done = await admin.next_message()
    assert "scheduled for Monday 30 November 2026 at 08:30 WIB" in done.plain_text
    [broadcast] = await bot.services.store.broadcasts.recent()
    assert scheduled_at(broadcast) == datetime(2026, 11, 30, 1, 30, tzinfo=UTC)


async def test_the_confirmation_counts_people_and_groups(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    store = bot.services.store
    async with store.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO citizens (user_id, chat_id, language, created_at) VALUES (?, ?, 'id', ?)",
            [(90_000 + n, 90_000 + n, "2026-11-01T00:00:00+00:00") for n in range(1233)],
        )
    await write(admin, "Pengumuman untuk semua")
    await admin.tap("Semua warga", message=await admin.next_message())
    confirm = await admin.next_message()
    assert "Akan dikirim ke 1.234 warga." in confirm.plain_text  # and the admin
    await admin.tap("Batal", message=confirm)
    await admin.next_message()

    await linked_group(sandbox, store, admin, GAMBIR)
    await linked_group(sandbox, store, admin, Scope("kota", "Jakarta Pusat"), title="Pusat")
    await in_english(admin)
    await admin.send("/broadcast")
    await admin.next_message()
    await admin.send("For every citizen")
    await admin.next_message()
    await admin.tap("All citizens", message=await admin.next_message())
    assert "It will go to 1,234 residents." in (await admin.next_message()).plain_text
    await admin.send("/broadcast")
    await admin.next_message()
    await admin.send("For the groups")
    await admin.next_message()
    await admin.tap("All kelurahan groups", message=await admin.next_message())
    assert "It will go to 2 groups." in (await admin.next_message()).plain_text
    assert len(deliveries(sandbox, "For every citizen")) == 1  # the preview only
