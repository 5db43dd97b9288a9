"""The staff pages as the internet meets them: photos that cannot exhaust memory, pages that run
no script but the bot's own, forms that refuse forged or unreadable tokens without a 500, and
the rules a session lives by (cookies, areas, escaping, exports, headers).

Requests go to the real Starlette app over httpx's ASGI transport with the running test bot's
application, so photos are fetched from the sandbox by the bot's own ``Bot``; the sandbox counts
every download. App errors become 500 answers here (``raise_app_exceptions=False``), as a browser
would see them.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from bot.domain.intake import AgencyReport, submit_agency_report
from bot.http.server import build_app
from bot.http.staff import StaffPages
from tests.helpers import KOTA_TUA, MONAS, jpeg
from tests.test_groups import officer_for
from tests.test_staff_pages import BASE, csrf_of, login_link

LIMIT = 10 * 1024 * 1024  # photos over 10 MB are not shown
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


@pytest.fixture
async def staff_bot(make_bot):
    return await make_bot(WEB_BASE_URL=BASE)


def client_for(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=BASE)


def client(bot) -> httpx.AsyncClient:
    return client_for(build_app(bot.services, application=bot.app))


@asynccontextmanager
async def signed_in(bot, person, app: Starlette | None = None) -> AsyncIterator[httpx.AsyncClient]:
    web = client_for(app) if app is not None else client(bot)
    async with web:
        opened = await web.get(await login_link(person))
        assert opened.status_code == 303, opened.text
        yield web


async def agency_report(bot, description: str, where=MONAS, address: str | None = None) -> int:
    lat, lon = where
    return await submit_agency_report(
        bot.services, AgencyReport("Seeder", "garbage", lat, lon, description, address)
    )


async def add_photo(bot, sandbox, ref: int, data: bytes, mime_type: str | None = None) -> str:
    """A photo of report ``ref`` whose file holds ``data`` at the sandbox."""
    record = sandbox.world.new_file(
        data, folder="photos", extension="jpg", prefix="AgACAgUAAxkBAAI", mime_type=mime_type
    )
    async with bot.services.store.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO report_photos (report_id, position, file_id, file_unique_id, role)"
            " VALUES (?, (SELECT COUNT(*) FROM report_photos WHERE report_id = ?), ?, ?,"
            " 'citizen')",
            (ref, ref, record.file_id, record.file_unique_id),
        )
    return record.file_id


# Finding 1: the photo cache ----------------------------------------------------------------


async def test_ten_officers_asking_for_one_photo_cost_one_download(sandbox, staff_bot, admin):
    ref = await agency_report(staff_bot, "Sampah menumpuk di depan pintu timur")
    file_id = await add_photo(staff_bot, sandbox, ref, jpeg(7))
    async with signed_in(staff_bot, admin) as web:
        get_me_before = len(sandbox.calls_to("getMe"))
        sandbox.faults.latency = 0.2  # every getFile is slow, so the ten requests overlap
        try:
            answers = await asyncio.gather(
                *(web.get(f"/staff/photos/{file_id}") for _ in range(10))
            )
        finally:
            sandbox.faults.latency = 0.0
    assert [answer.status_code for answer in answers] == [200] * 10
    assert all(answer.content == jpeg(7) for answer in answers)
    assert sandbox.world.downloads[file_id] == 1
    assert len(sandbox.calls_to("getFile")) == 1
    # the application's own Bot: no new client introducing itself with getMe per download
    assert len(sandbox.calls_to("getMe")) == get_me_before


async def test_the_photo_cache_is_bounded_in_bytes(sandbox, make_bot, admin):
    bot = await make_bot(WEB_BASE_URL=BASE, STAFF_PHOTO_CACHE_MB="1")
    ref = await agency_report(bot, "Sampah menumpuk di depan pintu timur")
    photos = [b"\xff\xd8" + bytes([seed]) * (300 * 1024) for seed in range(6)]  # 1.8 MB in all
    file_ids = [await add_photo(bot, sandbox, ref, data) for data in photos]
    pages = StaffPages(bot.services, bot.app.bot)
    cache = pages.photos.cache
    async with signed_in(bot, admin, Starlette(routes=pages.routes())) as web:
        for file_id, data in zip(file_ids, photos, strict=True):
            answer = await web.get(f"/staff/photos/{file_id}")
            assert answer.status_code == 200 and answer.content == data
            assert cache.size <= 1024 * 1024 == cache.capacity
        assert 0 < len(cache) < len(photos)
        assert sandbox.world.downloads[file_ids[0]] == 1
        again = await web.get(f"/staff/photos/{file_ids[0]}")  # evicted: downloaded again
        assert again.status_code == 200 and again.content == photos[0]
        assert sandbox.world.downloads[file_ids[0]] == 2
        last = await web.get(f"/staff/photos/{file_ids[-1]}")  # still cached
        assert last.content == photos[-1] and sandbox.world.downloads[file_ids[-1]] == 1
        assert cache.size <= cache.capacity


async def test_a_file_over_the_limit_is_refused_before_downloading(sandbox, staff_bot, admin):
    ref = await agency_report(staff_bot, "Sampah menumpuk di depan pintu timur")
    file_id = await add_photo(staff_bot, sandbox, ref, b"\xff\xd8" + b"\x00" * LIMIT)
    async with signed_in(staff_bot, admin) as web:
        answer = await web.get(f"/staff/photos/{file_id}")
        assert answer.status_code == 413
        assert "terlalu besar" in answer.text and "10 MB" in answer.text
        english = await web.get(f"/staff/photos/{file_id}?lang=en")
        assert english.status_code == 413 and "too large" in english.text
    assert len(sandbox.calls_to("getFile")) == 2  # asked its size, twice
    assert sandbox.world.downloads[file_id] == 0


async def test_the_content_type_is_sniffed_from_the_bytes(sandbox, staff_bot, admin):
    ref = await agency_report(staff_bot, "Sampah menumpuk di depan pintu timur")
    png = await add_photo(staff_bot, sandbox, ref, PNG, mime_type="text/html")
    page = await add_photo(
        staff_bot, sandbox, ref, b"<html><script>alert(1)</script>", mime_type="image/jpeg"
    )
    async with signed_in(staff_bot, admin) as web:
        for _ in range(2):  # downloaded, then from the cache
            image = await web.get(f"/staff/photos/{png}")
            assert image.headers["content-type"] == "image/png" and image.content == PNG
            other = await web.get(f"/staff/photos/{page}")
            assert other.headers["content-type"] == "application/octet-stream"
            assert other.headers["x-content-type-options"] == "nosniff"
    assert sandbox.world.downloads[png] == 1 and sandbox.world.downloads[page] == 1


# Finding 2: no third-party or inline script ------------------------------------------------


def assert_strict_csp(response: httpx.Response) -> None:
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("script-src") == ["'self'"], policy
    assert directives.get("style-src") == ["'self'"], policy
    assert directives.get("default-src") == ["'self'"], policy
    assert directives.get("object-src") == ["'none'"], policy
    assert directives.get("base-uri") == ["'none'"], policy
    assert directives.get("frame-ancestors") == ["'none'"], policy
    assert directives.get("form-action") == ["'self'"], policy
    assert directives.get("img-src") == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def assert_no_inline_or_foreign_code(page: str) -> None:
    for attributes in _SCRIPT_TAG.findall(page):
        if 'type="application/json"' in attributes:
            continue
        assert re.search(r'\bsrc="/staff/static/', attributes), f"<script{attributes}>"
    assert not re.search(r'\bsrc="(https?:)?//', page), "a foreign script or image"
    assert not re.search(r'<link\b[^>]*\bhref="(https?:)?//', page), "a foreign stylesheet"
    for target in re.findall(r'<a\b[^>]*\bhref="((?:https?:)?//[^"]*)"', page):  # links only
        assert target.startswith("https://www.openstreetmap.org/"), target
    assert "<style" not in page.lower()
    assert not re.search(r"\sstyle=", page), "an inline style attribute"
    assert not re.search(r"\son[a-z]+=", page), "an inline event handler"


async def test_every_staff_page_forbids_inline_and_foreign_scripts(sandbox, staff_bot, admin):
    ref = await agency_report(staff_bot, "Sampah <script>alert(1)</script> di depan pintu")
    file_id = await add_photo(staff_bot, sandbox, ref, jpeg(1))
    async with client(staff_bot) as stranger:
        refusals = [
            await stranger.get("/staff"),  # 401
            await stranger.get("/staff/login?token=forged"),  # 400
            await stranger.post("/staff/logout", data={"csrf": "x"}),  # 401
        ]
    async with signed_in(staff_bot, admin) as web:
        listed = await web.get("/staff")
        detail = await web.get(f"/staff/reports/{ref}")
        csrf = csrf_of(detail.text)
        pages = [
            listed,
            await web.get("/staff?lang=en&status=new"),
            detail,
            await web.get("/staff/reports/999999"),  # 404
            await web.get("/staff?status=bogus"),  # 400
            await web.post(f"/staff/reports/{ref}/status", data={"csrf": csrf, "status": "x"}),
        ]
        others = [
            await web.get(f"/staff/photos/{file_id}"),
            await web.get("/staff/export.csv"),
            await web.get("/staff/export.geojson"),
        ]
        static = [
            await web.get("/staff/static/staff-map.js"),
            await web.get("/staff/static/staff.css"),
            await web.get("/staff/static/leaflet/leaflet.js"),
            await web.get("/staff/static/leaflet/leaflet.css"),
            await web.get("/staff/static/leaflet/images/marker-icon.png"),
        ]
        signed_out = await web.post("/staff/logout", data={"csrf": csrf})
    pages += [*refusals, signed_out]
    assert [page.status_code for page in pages] == [
        200,
        200,
        200,
        404,
        400,
        400,
        401,
        400,
        401,
        200,
    ]
    assert signed_out.status_code == 200
    for page in pages:
        assert page.headers["content-type"].startswith("text/html")
        assert_strict_csp(page)
        assert_no_inline_or_foreign_code(page.text)
    for response in others + static:
        assert response.status_code == 200, response.url
        assert_strict_csp(response)
        assert response.headers["x-content-type-options"] == "nosniff"
    assert '<script src="/staff/static/leaflet/leaflet.js">' in listed.text
    assert '<script src="/staff/static/staff-map.js">' in listed.text
    assert 'data-geojson="/staff/export.geojson?lang=id"' in listed.text
    assert static[0].headers["content-type"].startswith(("text/javascript", "application/java"))
    assert static[2].headers["content-type"].startswith(("text/javascript", "application/java"))
    assert static[3].headers["content-type"].startswith("text/css")
    assert static[4].headers["content-type"] == "image/png"
    assert "Leaflet 1.9.4" in static[2].text


async def test_static_files_are_only_the_static_folder(staff_bot):
    async with client(staff_bot) as web:
        for path in (
            "/staff/static/../staff.py",
            "/staff/static/%2e%2e/staff.py",
            "/staff/static/leaflet/../../staff.py",
            "/staff/static/nothing.js",
        ):
            answer = await web.get(path)
            assert answer.status_code == 404, path
            assert "StaffPages" not in answer.text
        assert (await web.get("/staff/static/leaflet/LICENSE")).status_code == 200


# Finding 3: a move the rules do not allow ---------------------------------------------------


async def test_a_status_the_rules_do_not_allow_gets_the_409_page(sandbox, staff_bot, admin):
    services = staff_bot.services
    ref = await agency_report(staff_bot, "Sampah menumpuk di depan pintu timur")
    async with signed_in(staff_bot, admin) as web:
        csrf = csrf_of((await web.get(f"/staff/reports/{ref}")).text)
        url = f"/staff/reports/{ref}/status"
        moved = await web.post(url, data={"csrf": csrf, "status": "in_progress"})
        assert moved.status_code == 303
        back = await web.post(url, data={"csrf": csrf, "status": "acknowledged"})
        assert back.status_code == 409, back.text
        assert f"Laporan #{ref} berstatus" in back.text and "tidak bisa menjadi" in back.text
        assert "Diterima" in back.text and "Dikerjakan" in back.text
        english = await web.post(url + "?lang=en", data={"csrf": csrf, "status": "acknowledged"})
        assert english.status_code == 409 and "cannot become" in english.text
    assert (await services.store.reports.get(ref)).status == "in_progress"


# Finding 4: CSRF tokens that are not ASCII --------------------------------------------------


async def test_unreadable_csrf_tokens_get_the_403_page(sandbox, staff_bot, admin, caplog):
    services = staff_bot.services
    ref = await agency_report(staff_bot, "Sampah menumpuk di depan pintu timur")
    async with signed_in(staff_bot, admin) as web:
        csrf = csrf_of((await web.get(f"/staff/reports/{ref}")).text)
        url = f"/staff/reports/{ref}/status"
        form = {"content-type": "application/x-www-form-urlencoded"}
        as_json = {"content-type": "application/json"}
        forged = [
            (url, {"data": {"csrf": "é" * 64, "status": "acknowledged"}}),
            (url, {"content": b"csrf=%ED%A0%80&status=acknowledged", "headers": form}),
            ("/staff/logout", {"data": {"csrf": "ü" + csrf[1:]}}),
        ]
        # A JSON body that spells a lone surrogate is not text at all: every route's body reader
        # refuses it (400) before any field, the CSRF token included, is looked at.
        unreadable = [
            (
                url,
                {"content": b'{"csrf": "\\ud800", "status": "acknowledged"}', "headers": as_json},
            ),
            ("/staff/logout", {"content": b'{"csrf": "\\udfff\\ud800"}', "headers": as_json}),
        ]
        for path, body in unreadable:
            answer = await web.post(path, **body)
            assert answer.status_code == 400, (path, body, answer.text)
            assert "tidak dapat dibaca" in answer.text
        for path, body in forged:
            with caplog.at_level(logging.INFO, logger="bot.http.staff_guard"):
                caplog.clear()
                answer = await web.post(path, **body)
            assert answer.status_code == 403, (path, body, answer.text)
            assert "Formulir kedaluwarsa" in answer.text
            refusals = [r for r in caplog.records if r.name == "bot.http.staff_guard"]
            assert len(refusals) == 1 and refusals[0].levelno == logging.INFO
            assert csrf not in refusals[0].getMessage()
        assert (await web.get("/staff")).status_code == 200  # still signed in

        # the right token with a lone surrogate elsewhere: a 400 page, nothing stored
        note = json.dumps({"csrf": csrf, "status": "acknowledged", "note": "\ud800"}).encode()
        unreadable = await web.post(url, content=note, headers=as_json)
        assert unreadable.status_code == 400 and "tidak dapat dibaca" in unreadable.text
    assert (await services.store.reports.get(ref)).status == "new"


# Finding 5: what must stay sound -----------------------------------------------------------


async def test_session_cookies_are_fresh_per_login_and_deleted_on_logout(staff_bot, admin):
    cookies = []
    for _ in range(2):
        async with client(staff_bot) as web:
            opened = await web.get(await login_link(admin))
            assert opened.status_code == 303
            header = opened.headers["set-cookie"]
            lowered = header.lower()
            assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered
            cookies.append(header.split(";")[0])
            csrf = csrf_of((await web.get("/staff")).text)
            refused = await web.post("/staff/logout", data={})  # a form without its token
            assert refused.status_code == 403
            assert (await web.get("/staff")).status_code == 200
            signed_out = await web.post("/staff/logout", data={"csrf": csrf})
            assert signed_out.status_code == 200
            deleted = signed_out.headers["set-cookie"].lower()
            assert deleted.startswith("wl_staff=") and "max-age=0" in deleted
            assert "path=/staff" in deleted
    assert cookies[0] != cookies[1]
    async with client(staff_bot) as web:  # the old session is over, cookie or not
        web.cookies.set("wl_staff", cookies[0].split("=", 1)[1], domain="staff.test")
        assert (await web.get("/staff")).status_code == 401


async def test_officers_see_only_their_areas_everywhere(sandbox, staff_bot, admin):
    officer = await officer_for(sandbox, staff_bot.services.store, admin)
    mine = await agency_report(staff_bot, "Sampah menumpuk di depan pintu timur")
    theirs = await agency_report(staff_bot, "Sampah menumpuk di pinggir kali besar", KOTA_TUA)
    their_photo = await add_photo(staff_bot, sandbox, theirs, jpeg(3))
    async with signed_in(staff_bot, officer) as web:
        assert (await web.get(f"/staff/photos/{their_photo}")).status_code == 403
        for query in ("", "?area=3174060008"):
            rows = list(
                csv.DictReader(
                    io.StringIO((await web.get(f"/staff/export.csv{query}")).text.lstrip("\ufeff"))
                )
            )
            assert str(theirs) not in [row["id"] for row in rows], query
            document = json.loads((await web.get(f"/staff/export.geojson{query}")).text)
            ids = [feature["properties"]["id"] for feature in document["features"]]
            assert theirs not in ids, query
            assert (mine in ids) is (query == ""), query
            listed = await web.get(f"/staff{query}")
            assert f"#{theirs}" not in listed.text
    assert sandbox.world.downloads[their_photo] == 0


async def test_citizens_text_is_escaped_and_neutralised_in_exports(sandbox, staff_bot, admin):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> di depan pintu'
    escaped = await agency_report(staff_bot, hostile)
    formulas = {
        await agency_report(staff_bot, start + 'HYPERLINK("http://evil","klik") sampah')
        for start in ("=", "+", "-", "@")
    }
    address = await agency_report(staff_bot, "Sampah menumpuk di sini", address="=1+2 Jalan")
    async with signed_in(staff_bot, admin) as web:
        for page in (await web.get("/staff"), await web.get(f"/staff/reports/{escaped}")):
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text
            assert "<script>alert" not in page.text and "<img src=x" not in page.text
        exported = await web.get("/staff/export.csv")
    rows = {
        int(row["id"]): row for row in csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff")))
    }
    for ref in formulas:
        assert rows[ref]["description"].startswith("'"), rows[ref]["description"]
        assert rows[ref]["description"][1] in "=+-@"
    assert rows[address]["address"] == "'=1+2 Jalan"
    assert rows[escaped]["description"] == hostile  # text, kept as it was


async def test_security_headers_on_pages_and_refusals(staff_bot, admin):
    async with client(staff_bot) as web:
        refused = await web.get("/staff")
        async with signed_in(staff_bot, admin) as signed:
            listed = await signed.get("/staff")
    for response in (refused, listed):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
