"""The sandbox itself: a bare PTB echo bot long-polls it over HTTP and meets Telegram's behaviour.

These tests pin down what the bot's own tests rely on: updates look like Telegram's, buttons can
be pressed, files round-trip, and Telegram's refusals (bad HTML, blocked users, flood waits...)
surface in PTB as the same exceptions they raise in production.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.playground.botapi import Sandbox, start_sandbox

TOKEN = "123456:TEST-token-for-the-sandbox-only"
PHOTO = bytes.fromhex("ffd8ffe000104a464946") + b"sandbox-photo" * 40 + b"\xff\xd9"


# -- a bare echo bot ---------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the command's arguments and the entity Telegram attached to it."""
    message = update.effective_message
    kinds = [str(e.type.value) if hasattr(e.type, "value") else e.type for e in message.entities]
    await message.reply_text(f"start args={context.args} entities={kinds}", do_quote=True)


async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline keyboard, like the category picker."""
    keyboard = [
        [InlineKeyboardButton("🌊 Banjir", callback_data="cat:flood")],
        [InlineKeyboardButton("🗑️ Sampah", callback_data="cat:trash")],
    ]
    await update.effective_message.reply_text(
        "Pilih <b>kategori</b>", parse_mode="HTML", reply_markup=InlineKeyboardMarkup(keyboard)
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press, then edit the message (which drops its keyboard)."""
    query = update.callback_query
    await query.answer(f"picked {query.data}")
    await query.edit_message_text(f"Kategori: {query.data}")


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply keyboard with a location button, like the location step."""
    keyboard = [["Ya", "Tidak"], [KeyboardButton("📍 Kirim lokasi", request_location=True)]]
    await update.effective_message.reply_text(
        "Lokasi?", reply_markup=ReplyKeyboardMarkup(keyboard, resize_keyboard=True)
    )


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm a location and take the reply keyboard away."""
    location = update.effective_message.location
    await update.effective_message.reply_text(
        f"loc {location.latitude:.4f},{location.longitude:.4f}",
        reply_markup=ReplyKeyboardRemove(),
    )


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the photo over HTTP, then send it back by file_id and as an uploaded document."""
    message = update.effective_message
    largest = message.photo[-1]
    data = bytes(await (await largest.get_file()).download_as_bytearray())
    digest = hashlib.sha256(data).hexdigest()[:16]
    await message.reply_text(f"got {len(message.photo)} sizes, {len(data)} bytes, sha {digest}")
    await message.reply_photo(largest.file_id, caption="same file")
    await message.reply_document(
        data, filename="copy.jpg", caption=f"re-upload <i>{digest}</i>", parse_mode="HTML"
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo plain text (quoting it in groups)."""
    message = update.effective_message
    await message.reply_text(f"echo: {message.text}", do_quote=message.chat.type != "private")


def build_echo_app(sandbox: Sandbox) -> Application:
    """The bare bot: the real PTB stack pointed at the sandbox."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CommandHandler("menu", on_menu))
    app.add_handler(CommandHandler("ask", on_ask))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.LOCATION, on_location))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    return app


async def run_app(app: Application) -> None:
    """Start polling the way the project's bot does."""
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))


async def stop_app(app: Application) -> None:
    """Stop polling; PTB confirms the fetched updates with one last getUpdates."""
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[Sandbox]:
    """A sandbox of its own (the project's ``sandbox`` fixture lives in conftest.py)."""
    sandbox = await start_sandbox(token=TOKEN)
    yield sandbox
    await sandbox.close()


@pytest.fixture
async def echo_bot(fake_telegram: Sandbox) -> AsyncIterator[Application]:
    """The echo bot, polling ``fake_telegram``."""
    app = build_echo_app(fake_telegram)
    await run_app(app)
    yield app
    await stop_app(app)


# -- conversations -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_commands_buttons_and_location(fake_telegram: Sandbox, echo_bot: Application) -> None:
    warga = fake_telegram.citizen(first_name="Siti", language_code="id")
    sent = await warga.send("/start laporan")
    reply = await warga.next_message()
    assert reply.text == "start args=['laporan'] entities=['bot_command']"
    assert reply.reply_to_message_id == sent["message_id"]  # reply_parameters resolved
    await warga.send("/start@wargalapor_test_bot x y")
    assert (await warga.next_message()).text.startswith("start args=['x', 'y']")

    await warga.send("/menu")
    menu = await warga.next_message()
    assert menu.buttons == ["🌊 Banjir", "🗑️ Sampah"]
    assert menu.inline_buttons[0] == ("🌊 Banjir", "cat:flood")
    assert menu.text == "Pilih <b>kategori</b>" and menu.plain_text == "Pilih kategori"
    answer = await warga.tap("banjir")  # case-insensitive part of the label
    assert answer is not None and answer.text == "picked cat:flood" and not answer.show_alert
    edited = await warga.next_edit(menu)
    assert edited.text == "Kategori: cat:flood" and edited.buttons == []
    assert edited.edits[0].plain_text == "Pilih kategori"
    with pytest.raises(AssertionError, match="Sampah"):
        await warga.tap("Sampah", message=menu)  # the keyboard is gone after the edit

    await warga.send("/ask")
    await warga.tap("Ya")  # settles first: the keyboard arrives before the press
    echo = await warga.next_message()
    assert echo.text == "echo: Ya" and not echo.has_reply_keyboard
    with pytest.raises(AssertionError, match="share_location"):
        await warga.tap("lokasi")
    await warga.share_location(-6.1754, 106.8272)
    confirmation = await warga.next_message()
    assert confirmation.text == "loc -6.1754,106.8272" and confirmation.removes_keyboard
    with pytest.raises(AssertionError, match="no button"):
        await warga.tap("Ya", timeout=0.3)  # the reply keyboard was removed
    await warga.expect_no_message(within=0.2)
    assert [m.kind for m in warga.messages].count("text") == len(warga.messages)


@pytest.mark.asyncio
async def test_photo_upload_and_download_round_trip(
    fake_telegram: Sandbox, echo_bot: Application
) -> None:
    warga = fake_telegram.citizen()
    user_photo = await warga.send_photo(PHOTO, caption="banjir")
    sizes = user_photo["photo"]
    assert len(sizes) == 3 and len({s["file_id"] for s in sizes}) == 3
    digest = hashlib.sha256(PHOTO).hexdigest()[:16]
    summary = await warga.next_message()
    assert summary.text == f"got 3 sizes, {len(PHOTO)} bytes, sha {digest}"
    same = await warga.next_message()
    assert same.kind == "photo" and same.photo == sizes[-1]["file_id"]
    copy = await warga.next_message()
    assert copy.kind == "document" and copy.plain_text == f"re-upload {digest}"
    assert copy.raw["document"]["file_name"] == "copy.jpg"
    assert fake_telegram.world.files[copy.document].data == PHOTO  # multipart upload stored
    assert any(c.method == "getFile" and c.ok for c in fake_telegram.calls)

    other = await echo_bot.bot.send_photo(warga.chat_id, b"\xff\xd8 another picture \xff\xd9")
    assert other.photo[-1].file_unique_id != sizes[-1]["file_unique_id"]
    again = await echo_bot.bot.send_photo(warga.chat_id, PHOTO)  # same bytes: same file
    assert again.photo[-1].file_unique_id == sizes[-1]["file_unique_id"]


# -- Telegram's refusals -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_refusals_surface_as_ptb_errors(
    fake_telegram: Sandbox, echo_bot: Application
) -> None:
    bot = echo_bot.bot
    warga = fake_telegram.citizen()
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(warga.chat_id, "halo")
    await warga.send("halo")
    await warga.next_message()

    bad_html = {
        "Tom & Jerry": "Unsupported HTML entity",
        "a < b": 'Unsupported start tag ""',
        "<b>tebal": "Can't find end tag",
        "<b><i>x</b></i>": "Unmatched end tag",
        "<p>x</p>": 'Unsupported start tag "p"',
    }
    for text, fragment in bad_html.items():
        with pytest.raises(BadRequest, match=r"(?i)parse entities") as caught:
            await bot.send_message(warga.chat_id, text, parse_mode="HTML")
        assert fragment.lower() in caught.value.message.lower()  # PTB re-capitalises
    ok = await bot.send_message(warga.chat_id, "<b>A&amp;B</b> &lt;3 &#128512;", parse_mode="HTML")
    assert ok.text == "A&B <3 😀" and ok.entities[0].type == "bold"
    assert ok.text_html == "<b>A&amp;B</b> &lt;3 😀"  # entities came back with UTF-16 offsets

    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(warga.chat_id, "<b>" + "x" * 4097 + "</b>", parse_mode="HTML")
    await bot.send_message(warga.chat_id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(warga.chat_id, "  <b></b> ", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(warga.chat_id, PHOTO, caption="x" * 1025)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(warga.chat_id, "pilih", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "halo")
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(warga.chat_id, "halo", reply_to_message_id=9999)
    lenient = await bot.send_message(
        warga.chat_id, "halo", reply_to_message_id=9999, allow_sending_without_reply=True
    )
    assert lenient.reply_to_message is None

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("halo", warga.chat_id, lenient.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("baru", warga.chat_id, 9999)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("123")

    warga.block_bot()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(warga.chat_id, "halo")
    warga.unblock_bot()
    await bot.send_message(warga.chat_id, "halo lagi")

    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTeleportation", api_kwargs={"chat_id": warga.chat_id})
    missing = fake_telegram.calls_to("sendTeleportation")
    assert missing and missing[0].status == 404

    await bot.set_my_commands([("report", "Laporkan")], language_code="en")
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["report"]
    assert await bot.get_my_commands() == ()


@pytest.mark.asyncio
async def test_faults_and_flood_limits(fake_telegram: Sandbox, echo_bot: Application) -> None:
    bot = echo_bot.bot
    warga = fake_telegram.citizen()
    await warga.send("/start")
    await warga.next_message()

    fake_telegram.faults.fail_next("sendMessage", "429")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(warga.chat_id, "satu")
    assert caught.value.retry_after == timedelta(seconds=1)
    fake_telegram.faults.fail_next("sendMessage", "5xx")
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.send_message(warga.chat_id, "dua")
    fake_telegram.faults.fail_next("sendMessage", "drop")
    with pytest.raises(NetworkError):
        await bot.send_message(warga.chat_id, "tiga")
    fake_telegram.faults.timeout_delay = 0.6
    fake_telegram.faults.fail_next("sendMessage", "timeout")
    with pytest.raises(TimedOut):
        await bot.send_message(warga.chat_id, "empat", read_timeout=0.2)
    delivered = await warga.next_message()
    assert delivered.text == "empat"  # a timeout does not mean the message was not sent
    await warga.expect_no_message(within=0.05)  # "satu".."tiga" never arrived

    fake_telegram.faults.inject(rate=1.0, kinds=("5xx",), seed=7)  # getUpdates is spared
    await warga.send("/start again")
    await warga.expect_no_message(within=0.5)
    assert any(c.method == "sendMessage" and c.status == 502 for c in fake_telegram.calls)
    fake_telegram.faults.clear()

    fake_telegram.limits.enable(private_per_second=1, private_burst=2)
    await bot.send_message(warga.chat_id, "a")
    await bot.send_message(warga.chat_id, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(warga.chat_id, "c")
    assert fake_telegram.limits.served_429 == 1 and fake_telegram.count_429 == 2
    fake_telegram.limits.disable()


# -- groups and restarts -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_group_replies_and_privacy_mode(
    fake_telegram: Sandbox, echo_bot: Application
) -> None:
    lurah = fake_telegram.citizen(first_name="Pak Lurah")
    group = fake_telegram.group(title="Kelurahan Gambir", type="supergroup")
    group.add_member(lurah, status="administrator")
    assert group.chat_id < 0

    await group.send(lurah, "/start@wargalapor_test_bot gambir")
    alert = await group.next_message()
    assert alert.text.startswith("start args=['gambir']")
    await group.reply_to(alert, lurah, "Sudah ditangani")
    echo = await group.next_message()
    assert echo.text == "echo: Sudah ditangani"
    assert echo.raw["reply_to_message"]["text"] == "Sudah ditangani"
    await group.send(lurah, "obrolan biasa")  # privacy mode: not for the bot
    await group.expect_no_message(within=0.3)

    member = await echo_bot.bot.get_chat_member(group.chat_id, lurah.user_id)
    assert member.status == "administrator"
    admins = await echo_bot.bot.get_chat_administrators(group.chat_id)
    assert [a.user.id for a in admins] == [lurah.user_id]


@pytest.mark.asyncio
async def test_a_photos_caption_is_edited_as_a_caption(
    fake_telegram: Sandbox, echo_bot: Application
) -> None:
    """As Telegram: a photo has no text to edit, a text no caption; an edited caption keeps the
    1,024 limit and its keyboard only when sent again; the same caption again is "not
    modified"; a photo posted in a group is hidden by privacy mode unless the bot is admin."""
    bot = echo_bot.bot
    group = fake_telegram.group(title="Kelurahan Gambir")
    lurah = fake_telegram.citizen(first_name="Pak Lurah")
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("👀 Terima", callback_data="a")]])
    card = await bot.send_photo(
        group.chat_id, PHOTO, caption="<b>Laporan #1</b>", parse_mode="HTML", reply_markup=buttons
    )
    text = await bot.send_message(group.chat_id, "Laporan #2")
    with pytest.raises(BadRequest, match=r"(?i)no text in the message to edit"):
        await bot.edit_message_text("baru", group.chat_id, card.message_id)
    with pytest.raises(BadRequest, match=r"(?i)no caption in the message to edit"):
        await bot.edit_message_caption(group.chat_id, text.message_id, caption="baru")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.edit_message_caption(group.chat_id, card.message_id, caption="x" * 1025)
    edited = await bot.edit_message_caption(
        group.chat_id, card.message_id, caption="<b>Laporan #1</b> diterima", parse_mode="HTML"
    )
    assert edited.caption == "Laporan #1 diterima" and edited.caption_entities[0].type == "bold"
    seen = group.messages[0]
    assert seen.kind == "photo" and seen.plain_text == "Laporan #1 diterima"
    assert seen.buttons == []  # no reply_markup in the edit: the keyboard is gone
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_caption(
            group.chat_id, card.message_id, caption="<b>Laporan #1</b> diterima", parse_mode="HTML"
        )
    await group.send_photo(lurah, PHOTO)  # privacy mode: not for the bot
    await group.expect_no_message(within=0.3)
    group.set_bot_status("administrator")
    await group.send_photo(lurah, PHOTO)
    echo = await group.next_message()  # the echo bot answers every photo
    assert echo.text.startswith("got 3 sizes")


@pytest.mark.asyncio
async def test_restart_continues_from_the_confirmed_offset(fake_telegram: Sandbox) -> None:
    warga = fake_telegram.citizen()
    first = build_echo_app(fake_telegram)
    await run_app(first)
    await warga.send("satu")
    assert (await warga.next_message()).text == "echo: satu"
    await stop_app(first)

    await warga.send("dua")  # while no bot runs
    second = build_echo_app(fake_telegram)
    await run_app(second)
    try:
        assert (await warga.next_message()).text == "echo: dua"
        await warga.expect_no_message(within=0.3)
    finally:
        await stop_app(second)
    echoes = [m.text for m in warga.messages]
    assert echoes == ["echo: satu", "echo: dua"]  # nothing redelivered
    assert fake_telegram.world.pending == []


@pytest.mark.asyncio
async def test_an_album_from_a_citizen_is_one_update_per_photo(fake_telegram: Sandbox) -> None:
    """As Telegram delivers it: each photo its own message, one media_group_id, the album's
    caption on its first photo only; a video is a video."""
    warga = fake_telegram.citizen()
    sent = await warga.send_album([PHOTO, PHOTO + b"2", PHOTO + b"3"], caption="banjir")
    queued = [update["message"] for update in fake_telegram.world.pending]
    assert [m["message_id"] for m in queued] == [m["message_id"] for m in sent]
    assert len({m["media_group_id"] for m in queued}) == 1
    assert [m.get("caption") for m in queued] == ["banjir", None, None]
    assert all(len(m["photo"]) == 3 for m in queued)
    video = await warga.send_video(duration=7)
    assert video["video"]["duration"] == 7 and video["video"]["mime_type"] == "video/mp4"


@pytest.mark.asyncio
async def test_a_removed_reply_keyboard_stays_removed_when_buttons_come_by_an_edit(
    fake_telegram: Sandbox, echo_bot: Application
) -> None:
    """A message sent with ReplyKeyboardRemove took the keyboard away on arrival: inline buttons
    added to it later, and taken off again, do not bring the old reply keyboard back."""
    warga = fake_telegram.citizen(started=True)
    bot = echo_bot.bot
    await bot.send_message(warga.chat_id, "Lokasi?", reply_markup=ReplyKeyboardMarkup([["Ya"]]))
    sent = await bot.send_message(warga.chat_id, "Ringkasan", reply_markup=ReplyKeyboardRemove())
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Kirim", callback_data="ok")]])
    await bot.edit_message_reply_markup(warga.chat_id, sent.message_id, reply_markup=buttons)
    summary = warga.messages[-1]
    assert summary.removes_keyboard and summary.has_inline_keyboard
    await bot.edit_message_reply_markup(warga.chat_id, sent.message_id, reply_markup=None)
    with pytest.raises(AssertionError, match="no button"):
        await warga.tap("Ya", timeout=0.3)
