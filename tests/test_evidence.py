"""Evidence kept: every photo of a report is downloaded soon after it arrives and stored beside the
database by its SHA-256, and the staff pages, Open311's media_url and a re-sent card still show
it after the bot's token changed (when Telegram no longer knows the old file ids)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import stat
from datetime import timedelta

import httpx
import pytest
from PIL import Image

from bot.http.server import build_app
from bot.telegram.rate_limiter import BotRateLimiter
from tests.helpers import file_report, jpeg, run_cli
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for, resolve_from
from tests.test_open311 import BASE
from tests.test_open311_media import phone_photo, report_with_photo
from tests.test_staff_pages import signed_in

SITE = "https://staff.test"  # the staff pages tests sign in there
NEW_TOKEN = "123456:NEW-token-after-a-revoke"


async def kept(store, ref: int, count: int = 1, *, state: str = "stored", seconds: float = 15):
    """The report's evidence rows once ``count`` of them are in ``state``."""
    for _ in range(int(seconds * 10)):
        rows = await store.evidence.of_report(ref)
        if sum(row.state == state for row in rows) >= count:
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"evidence of #{ref}: {await store.evidence.of_report(ref)}")


def evidence_file(bot, sha256: str, extension: str = ".jpg"):
    root = bot.settings.database_path.parent / "evidence"
    return root / sha256[:2] / sha256[2:4] / f"{sha256}{extension}"


async def test_a_photo_is_stored_on_receipt_with_its_checksum(sandbox, make_bot, admin):
    bot = await make_bot()
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga, photos=2)
    card = await next_alert(group)
    await resolve_from(group, officer, card, photo=jpeg(99))
    rows = await kept(store, ref, 3)

    by_role = sorted((row.role, row.sha256) for row in rows)
    assert by_role == sorted(
        [
            ("citizen", hashlib.sha256(jpeg(0)).hexdigest()),
            ("citizen", hashlib.sha256(jpeg(1)).hexdigest()),
            ("resolution", hashlib.sha256(jpeg(99)).hexdigest()),
        ]
    )
    for row, data in zip(
        sorted(rows, key=lambda r: r.photo_id), [jpeg(0), jpeg(1), jpeg(99)], strict=True
    ):
        assert (row.size, row.mime, row.report_id) == (len(data), "image/jpeg", ref)
        assert row.received_at and row.stored_at and row.received_at <= row.stored_at
        path = evidence_file(bot, row.sha256)
        assert path.read_bytes() == data
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    # A photo attached at the terminal (a file beside the database until it is sent) too.
    attached = bot.settings.database_path.parent / "after.jpg"
    attached.write_bytes(jpeg(123))
    done = await run_cli(
        bot, "case", "update", str(ref), "--note", "Foto", "--photo", str(attached)
    )
    assert done.returncode == 0, done.stderr
    rows = await kept(store, ref, 4)
    assert hashlib.sha256(jpeg(123)).hexdigest() in {row.sha256 for row in rows}


async def test_a_photo_over_the_size_limit_is_refused_and_said_so(sandbox, make_bot):
    bot = await make_bot(EVIDENCE_MAX_MB="0.05")  # 52 KB: a phone photo is more
    big, small = phone_photo(), jpeg(3)
    assert len(big) > 0.05 * 1024 * 1024 > len(small)
    ref = await report_with_photo(sandbox.citizen(), big)
    [row] = await kept(bot.services.store, ref, state="refused")
    assert row.sha256 is None and row.size == len(big)
    assert "over the 0.05 MB limit" in row.last_error
    assert not (bot.settings.database_path.parent / "evidence").exists()
    shown = await run_cli(bot, "case", "show", str(ref))
    assert "Evidence:    citizen: refused (over the 0.05 MB limit" in shown.stdout, shown.stdout

    other = await file_report(sandbox.citizen(), category="Sampah")  # jpeg(0): small, kept
    [fine] = await kept(bot.services.store, other)
    assert evidence_file(bot, fine.sha256).read_bytes() == jpeg(0)
    shown = await run_cli(bot, "case", "show", str(other))
    assert f"Evidence:    citizen: stored {fine.sha256}" in shown.stdout, shown.stdout


async def test_evidence_survives_a_new_bot_token(sandbox, make_bot, admin, admins_group):
    bot = await make_bot(WEB_BASE_URL=SITE)
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    original = phone_photo(70)
    ref = await report_with_photo(sandbox.citizen(), original)
    card = await next_alert(group)
    await resolve_from(group, officer, card, photo=jpeg(42))
    await kept(store, ref, 2)
    photos = await store.reports.photos(ref)
    first = next(photo for photo in photos if photo.role == "citizen")

    await bot.stop()
    sandbox.change_token(NEW_TOKEN)
    bot.settings = dataclasses.replace(bot.settings, bot_token=NEW_TOKEN)
    await bot.start()
    store = bot.services.store

    # Telegram (the sandbox) no longer knows the file ids the database holds.
    async with httpx.AsyncClient() as telegram:
        asked = await telegram.post(
            f"{sandbox.base_url}{NEW_TOKEN}/getFile", data={"file_id": first.file_id}
        )
    assert asked.status_code == 400, asked.text

    # The staff page's photo is the stored original.
    async with signed_in(bot, officer) as web:
        page = await web.get(f"/staff/reports/{ref}")
        assert f"/staff/photos/{first.file_id}" in page.text
        image = await web.get(f"/staff/photos/{first.file_id}")
        assert image.status_code == 200, image.text
        assert image.content == original

    # Open311's media_url serves the stored copy, cleaned.
    app = build_app(bot.services, polling=lambda: True, application=bot.app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as api:
        request = (await api.get(f"{BASE}/requests/{ref}.json")).json()[0]
        media = await api.get(request["media_url"].removeprefix(SITE))
    assert media.status_code == 200, media.text
    assert b"WargaTestPhone" not in media.content
    assert Image.open(io.BytesIO(media.content)).format == "JPEG"

    # A re-sent card (the report reopened by an agency) carries the photo, uploaded again.
    reopened = await run_cli(bot, "case", "update", str(ref), "--status", "reopened")
    assert reopened.returncode == 0, reopened.stderr
    new_card = await next_alert(group)
    assert new_card.photo is not None, group.transcript()
    assert sandbox.world.files[new_card.photo].data == original
    assert sandbox.world.files[new_card.photo].token == NEW_TOKEN


async def test_downloads_take_nothing_from_the_sending_budget():
    """The evidence job's getFile calls never wait behind, or delay, the messages people await."""
    limiter = BotRateLimiter(overall_max_rate=1, overall_time_period=30, max_retries=0)
    await limiter.initialize()
    loop = asyncio.get_running_loop()

    async def call() -> dict:
        return {"ok": True}

    async def request(endpoint: str, data: dict) -> None:
        await limiter.process_request(call, (), {}, endpoint, data, None)

    await request("sendMessage", {"chat_id": 1})  # the only message of the next 30 s
    start = loop.time()
    for _ in range(20):
        await request("getFile", {"file_id": "x"})
    assert loop.time() - start < 1
    with pytest.raises(TimeoutError):  # a second message does wait: the budget is real
        await asyncio.wait_for(request("sendMessage", {"chat_id": 2}), 0.5)
    await limiter.shutdown()


async def test_a_failed_download_is_tried_again_later(sandbox, bot, store):
    sandbox.faults.fail_next("getFile", "400")  # Telegram refuses the first download
    ref = await file_report(sandbox.citizen())  # the citizen has their reference regardless
    for _ in range(100):
        [row] = await store.evidence.of_report(ref)
        if row.attempts:
            break
        await asyncio.sleep(0.1)
    assert (row.state, row.attempts, row.sha256) == ("pending", 1, None)
    assert "parse entities" in row.last_error  # Telegram's words, kept
    await asyncio.sleep(3)  # passes of the job: not due again yet (30 s later)
    assert (await store.evidence.of_report(ref))[0].state == "pending"

    bot.services.clock.advance(timedelta(seconds=31))
    [row] = await kept(store, ref)
    assert row.sha256 == hashlib.sha256(jpeg(0)).hexdigest() and row.attempts == 1
