"""A request's ``media_url``: the reporter's first photo, served by the bot under WEB_BASE_URL,
written again without the phone's EXIF (GPS, make) and only for those who may see the report;
an officer's "after" photo is the media_url of its update."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from bot.http.server import build_app
from tests.helpers import DESCRIPTION, MONAS, at_location_step, jpeg, reference_in
from tests.open311_spec import refused, valid
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for, resolve_from
from tests.test_open311 import BASE, GAMBIR_CODE, new_key

SITE = "https://lapor.example.go.id"


def phone_photo(shade: int = 40) -> bytes:
    """A JPEG as a phone writes it: EXIF with the make, the GPS position and a rotation, and
    a comment."""
    image = Image.new("RGB", (2400, 1800), (shade, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "WargaTestPhone"
    exif[0x0112] = 6  # shot held upright: to be turned
    exif.get_ifd(0x8825).update({1: "S", 2: (6.0, 10.0, 31.4), 3: "E", 4: (106.0, 49.0, 37.9)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"rumah saya no. 12")
    return out.getvalue()


async def report_with_photo(
    warga, photo: bytes, category: str = "Banjir", mode: str | None = None
) -> int:
    """A citizen's report with ``photo``; ``mode``: a privacy button tapped on the summary."""
    await at_location_step(warga, category)
    await warga.share_location(*MONAS)
    await warga.next_message()
    await warga.send_photo(photo, caption=DESCRIPTION)
    await warga.next_message()  # the summary
    if mode is not None:
        await warga.tap(mode)
        await warga.next_message()
    await warga.tap("Kirim laporan")
    return reference_in((await warga.next_message()).plain_text)


@pytest.fixture
async def site_bot(make_bot):
    return await make_bot(WEB_BASE_URL=SITE)


def client(bot) -> httpx.AsyncClient:
    app = build_app(bot.services, polling=lambda: True, application=bot.app)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test")


def local(url: str) -> str:
    assert url.startswith(f"{SITE}{BASE}/media/") and url.endswith(".jpg"), url
    return url.removeprefix(SITE)


async def test_the_first_photo_is_served_without_its_metadata(sandbox, site_bot):
    original = phone_photo()
    assert b"WargaTestPhone" in original and b"rumah saya" in original
    ref = await report_with_photo(sandbox.citizen(), original)
    async with client(site_bot) as api:
        [request] = valid(await api.get(f"{BASE}/requests/{ref}.xml"), "requests")
        served = await api.get(local(request["media_url"]))
        again = await api.get(local(request["media_url"]))
    assert served.status_code == 200, served.text
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    for leak in (b"Exif", b"WargaTestPhone", b"rumah saya", b"http://ns.adobe.com/xap"):
        assert leak not in served.content
    picture = Image.open(io.BytesIO(served.content))
    assert picture.format == "JPEG" and dict(picture.getexif()) == {}
    assert picture.size == (1200, 1600)  # turned upright, at most 1,600 pixels a side
    assert again.content == served.content


async def test_a_photo_follows_its_reports_visibility(sandbox, site_bot):
    # A security report starts confidential (not in Open311 at all, tests/test_privacy_pages.py);
    # one its reporter made normal follows the sensitive category's rule: keys for the area only.
    ref = await report_with_photo(
        sandbox.citizen(), phone_photo(90), "Keamanan", mode="👤 Pakai nama saya"
    )
    key = await new_key(site_bot, "Kel. Gambir", [GAMBIR_CODE])
    store = site_bot.services.store
    [photo] = await store.reports.photos(ref)
    row = await store.db.fetchone(
        "SELECT id FROM report_photos WHERE file_id = ?", (photo.file_id,)
    )
    path = f"{BASE}/media/{row['id']}.jpg"
    async with client(site_bot) as api:
        anonymous = await api.get(path)
        missing = await api.get(f"{BASE}/media/{row['id'] + 50}.jpg")
        keyed = await api.get(path, headers={"X-API-Key": key})
        [request] = valid(
            await api.get(f"{BASE}/requests/{ref}.json", headers={"X-API-Key": key}), "requests"
        )
        nonsense = await api.get(f"{BASE}/media/{'9' * 30}.jpg")
    assert refused(anonymous, 404).replace(str(row["id"]), "N") == refused(missing, 404).replace(
        str(row["id"] + 50), "N"
    )  # a hidden photo reads as one that does not exist
    assert keyed.status_code == 200 and request["media_url"] == f"{SITE}{path}"
    assert refused(nonsense, 404)


async def test_a_file_that_is_no_photo_is_refused_politely(sandbox, site_bot):
    ref = await report_with_photo(sandbox.citizen(), jpeg(3))  # JPEG-shaped bytes, no image
    async with client(site_bot) as api:
        [request] = valid(await api.get(f"{BASE}/requests/{ref}.json"), "requests")
        answer = await api.get(local(request["media_url"]))
    assert "not a photo that can be shown" in refused(answer, 502)


async def test_without_web_base_url_there_is_no_media_url(sandbox, make_bot):
    running = await make_bot()
    ref = await report_with_photo(sandbox.citizen(), phone_photo())
    async with client(running) as api:
        [request] = valid(await api.get(f"{BASE}/requests/{ref}.json"), "requests")
    assert request["media_url"] == ""  # a link to 127.0.0.1 would help no one


async def test_an_officers_after_photo_is_its_updates_media(sandbox, site_bot, admin):
    store = site_bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    group.add_member(officer)
    warga = sandbox.citizen()
    ref = await report_with_photo(warga, phone_photo())
    card = await next_alert(group)
    assert f"#{ref}" in card.plain_text
    await resolve_from(group, officer, card, photo=phone_photo(200))
    async with client(site_bot) as api:
        found = valid(await api.get(f"{BASE}/servicerequestupdates.json"), "updates")
        with_photo = [u for u in found if u["media_url"]]
        assert [u["status"] for u in found] == ["FIXED"]  # resolved with its photo, at once
        [update] = with_photo
        served = await api.get(local(update["media_url"]))
    assert served.status_code == 200 and b"WargaTestPhone" not in served.content
