"""The HTTP client under every Bot API call (bot/telegram/http_client.py), through the sandbox.

Each test runs the real application with aiohttp (the default) and again with PTB's httpx
(TELEGRAM_HTTP_CLIENT=httpx), so the two keep the same semantics: what a citizen sees, uploads
as multipart and downloads, HTTP refusals as PTB's errors, a timeout as TimedOut (never sent
twice), a 429 waited out, a 5xx or a dropped connection retried and then NetworkError, and the
global rate limiter still pacing every call.
"""

from __future__ import annotations

import asyncio
import io
import time

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.telegram.http_client import AiohttpRequest, build_requests
from tests.helpers import jpeg


@pytest.fixture(params=["aiohttp", "httpx"])
def client(request) -> str:
    return request.param


@pytest.fixture
async def app(make_bot, client):
    """The running application's bot on ``client``."""
    running = await make_bot(TELEGRAM_HTTP_CLIENT=client)
    return running.app


def sends(sandbox, text):
    """The HTTP statuses the sandbox answered to each sendMessage of ``text``, in order."""
    return [c.status for c in sandbox.calls_to("sendMessage") if c.params.get("text") == text]


async def test_aiohttp_is_the_default(bot):
    assert isinstance(bot.app.bot.request, AiohttpRequest)
    assert isinstance(bot.app.bot._request[0], AiohttpRequest)  # getUpdates' own client too


async def test_a_citizen_is_answered_and_texts_buttons_and_refusals_round_trip(
    sandbox, app, client
):
    warga = sandbox.citizen()
    await warga.send("/start")
    welcome = await warga.next_message()
    assert welcome.plain_text.startswith(f"👋 Halo, {warga.first_name}! Ini WargaLapor.")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Lihat", callback_data="x:1")]])
    text = "Banjir 50 cm <b>tebal</b> 😀 &amp; air, kata=sama+tanda?"
    sent = await app.bot.send_message(warga.chat_id, text, reply_markup=markup)
    seen = await warga.next_message()
    assert seen.plain_text == "Banjir 50 cm tebal 😀 & air, kata=sama+tanda?"
    assert seen.inline_buttons == [("Lihat", "x:1")]
    assert sent.message_id == seen.message_id and sent.entities[0].type == "bold"
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.send_message(424242, "halo")
    warga.block_bot()
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await app.bot.send_message(warga.chat_id, "halo")


async def test_uploads_go_as_multipart_and_files_download(sandbox, app, client, tmp_path):
    warga = sandbox.citizen(started=True)
    csv = b"nomor,status\n1042,baru\n"
    document = await app.bot.send_document(
        warga.chat_id, InputFile(csv, filename="laporan.csv"), caption="Ekspor <i>harian</i>"
    )
    seen = await warga.next_message()
    assert seen.kind == "document" and seen.plain_text == "Ekspor harian"
    assert seen.raw["document"]["file_name"] == "laporan.csv"
    assert sandbox.world.files[seen.document].data == csv

    path = tmp_path / "banjir.jpg"
    path.write_bytes(jpeg(1))
    with path.open("rb") as handle:  # a file handle, as well as bytes
        photo = await app.bot.send_photo(warga.chat_id, handle, caption="sesudah")
    seen = await warga.next_message()
    assert seen.kind == "photo" and seen.plain_text == "sesudah"
    file = await app.bot.get_file(photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == jpeg(1)  # GET on the file URL

    album = [InputMediaPhoto(io.BytesIO(jpeg(2))), InputMediaPhoto(jpeg(3), caption="dua")]
    sent = await app.bot.send_media_group(warga.chat_id, album)
    assert len(sent) == 2 and sent[0].media_group_id == sent[1].media_group_id
    first, second = await warga.next_message(), await warga.next_message()
    assert [sandbox.world.files[m.photo].data for m in (first, second)] == [jpeg(2), jpeg(3)]
    assert document.document.file_name == "laporan.csv"


async def test_a_slow_answer_is_timed_out_once_and_not_sent_again(sandbox, make_bot, client):
    running = await make_bot(TELEGRAM_HTTP_CLIENT=client, TELEGRAM_TIMEOUT_SECONDS="1")
    bot = running.app.bot
    warga = sandbox.citizen(started=True)
    sandbox.faults.timeout_delay = 2.0
    sandbox.faults.fail_next("sendMessage", "timeout")
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(warga.chat_id, "satu")  # the configured read timeout
    assert time.monotonic() - started < 1.9
    assert (await warga.next_message()).text == "satu"  # carried out all the same
    sandbox.faults.fail_next("sendMessage", "timeout")
    with pytest.raises(TimedOut):
        await bot.send_message(warga.chat_id, "dua", read_timeout=0.3)  # a per-call timeout
    assert (await warga.next_message()).text == "dua"
    await asyncio.sleep(2.0)  # the sandbox answers both late; nothing is tried again
    assert sends(sandbox, "satu") == [200] and sends(sandbox, "dua") == [200]
    await warga.expect_no_message(within=0.3)


async def test_a_full_pool_times_out_without_sending(sandbox, make_bot, client):
    running = await make_bot(TELEGRAM_HTTP_CLIENT=client, TELEGRAM_POOL_SIZE="1")
    bot = running.app.bot
    warga = sandbox.citizen(started=True)
    sandbox.faults.timeout_delay = 1.5
    sandbox.faults.fail_next("sendMessage", "timeout")
    holding = asyncio.create_task(bot.send_message(warga.chat_id, "satu"))
    await sandbox.world.wait_for(lambda: bool(sends(sandbox, "satu")), 5)
    with pytest.raises(TimedOut):
        await bot.send_message(warga.chat_id, "dua", pool_timeout=0.2, connect_timeout=0.2)
    assert (await holding).text == "satu"
    assert sends(sandbox, "dua") == []  # never reached Telegram
    assert [m.text for m in warga.messages] == ["satu"]


async def test_a_flood_wait_is_waited_out(sandbox, app, client):
    warga = sandbox.citizen(started=True)
    sandbox.faults.fail_next("sendMessage", "429")
    started = time.monotonic()
    await app.bot.send_message(warga.chat_id, "halo")
    assert time.monotonic() - started >= 1.0  # retry_after 1 s
    assert sends(sandbox, "halo") == [429, 200]
    assert [m.text for m in warga.messages] == ["halo"]


async def test_5xx_and_drops_are_retried_then_a_network_error(sandbox, app, client):
    warga = sandbox.citizen(started=True)
    sandbox.faults.fail_next("sendMessage", "5xx", 2)
    await app.bot.send_message(warga.chat_id, "satu")
    assert sends(sandbox, "satu") == [502, 502, 200]
    sandbox.faults.fail_next("sendMessage", "drop")
    await app.bot.send_message(warga.chat_id, "dua")
    assert sends(sandbox, "dua") == [0, 200]  # 0: the connection closed without an answer
    sandbox.faults.fail_next("sendMessage", "5xx", 3)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await app.bot.send_message(warga.chat_id, "tiga")
    assert sends(sandbox, "tiga") == [502, 502, 502]
    assert [m.text for m in warga.messages] == ["satu", "dua"]


async def test_a_refused_connection_is_a_network_error(client, unused_tcp_port):
    calls, _ = build_requests(client, pool_size=4, timeout=2.0)
    await calls.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await calls.post(f"http://127.0.0.1:{unused_tcp_port}/bot1:x/getMe")
        assert not isinstance(caught.value, TimedOut)
    finally:
        await calls.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps the RuntimeError
        await calls.post(f"http://127.0.0.1:{unused_tcp_port}/bot1:x/getMe")


async def test_the_global_limiter_still_paces_every_call(sandbox, app, client):
    citizens = [sandbox.citizen(started=True) for _ in range(40)]
    sandbox.limits.enable()  # Telegram's 30 a second
    started = time.monotonic()
    await asyncio.gather(*(app.bot.send_message(c.chat_id, "Pengumuman") for c in citizens))
    assert time.monotonic() - started >= 1.0  # 2 at once, then 26 a second
    assert sandbox.count_429 == 0
    assert all([m.text for m in c.messages] == ["Pengumuman"] for c in citizens)


async def test_a_proxy_in_the_environment_is_used_unless_no_proxy_names_the_host(
    sandbox, client, monkeypatch, unused_tcp_port
):
    url = f"{sandbox.base_url}{sandbox.world.token}/getMe"
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{unused_tcp_port}")  # nothing listens
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxied, _ = build_requests(client, pool_size=2, timeout=2.0)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    direct, _ = build_requests(client, pool_size=2, timeout=2.0)
    for request in (proxied, direct):
        await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await proxied.post(url)  # went to the proxy, which refused the connection
        assert (await direct.post(url))["is_bot"] is True
    finally:
        for request in (proxied, direct):
            await request.shutdown()
