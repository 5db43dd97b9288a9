"""Staff pages: /weblogin's one-time link, the session it opens, and what an officer may see and do.

Requests go to the ASGI app built over the running test bot's services (httpx's ASGI transport,
no socket); ``WEB_BASE_URL`` is https, so the cookie is Secure and the client must be on https.
A status changed on a page reaches the citizen at the sandbox, as from a group button.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from bot.domain.intake import AgencyReport, submit_agency_report
from bot.http.server import build_app
from bot.http.staff_signin import web_base_url
from storage.web_sessions import WebSessionRepository
from tests.helpers import DESCRIPTION, KOTA_TUA, file_report, jpeg
from tests.test_groups import officer_for

BASE = "https://staff.test"
GAMBIR_CODE = "3173080003"
_LINK = re.compile(r"https://staff\.test/staff/login\?token=\S+")
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture
async def staff_bot(make_bot):
    return await make_bot(WEB_BASE_URL=BASE)


def client(bot) -> httpx.AsyncClient:
    app = build_app(bot.services, application=bot.app)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def login_link(person) -> str:
    await person.send("/weblogin")
    answer = await person.next_message()
    match = _LINK.search(answer.plain_text)
    assert match, answer.plain_text
    return match.group(0)


@asynccontextmanager
async def signed_in(bot, person) -> AsyncIterator[httpx.AsyncClient]:
    async with client(bot) as web:
        opened = await web.get(await login_link(person))
        assert opened.status_code == 303 and opened.headers["location"] == "/staff"
        yield web


def csrf_of(page: str) -> str:
    match = _CSRF.search(page)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def pinangsia_report(bot) -> int:
    """A report outside the officer's Gambir, filed by an agency (no conversation needed)."""
    return await submit_agency_report(
        bot.services,
        AgencyReport("Seeder", "garbage", *KOTA_TUA, "Sampah menumpuk di pinggir kali besar"),
    )


async def test_an_officer_signs_in_lists_filters_and_exports(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    other = await pinangsia_report(staff_bot)

    web = client(staff_bot)
    async with web:
        assert (await web.get("/staff")).status_code == 401  # no cookie yet
        link = await login_link(officer)
        opened = await web.get(link)
        assert opened.status_code == 303, opened.text
        cookie = opened.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        assert "path=/staff" in cookie

        listed = await web.get("/staff")
        assert listed.status_code == 200
        assert f"#{ref}" in listed.text and f"#{other}" not in listed.text
        assert "Masuk sebagai Budi" in listed.text and "Kel. Gambir" in listed.text
        assert "Reports" in (await web.get("/staff?lang=en")).text

        for query, present in [
            ("status=new", True),
            ("status=resolved", False),
            ("category=flood", True),
            ("category=garbage", False),
            (f"area={GAMBIR_CODE}", True),
            ("area=3174060008", False),  # Pinangsia: not theirs, so nothing
            ("overdue=1", False),
        ]:
            page = await web.get(f"/staff?{query}")
            assert page.status_code == 200 and (f"#{ref}" in page.text) is present, query
        assert (await web.get("/staff?status=bogus")).status_code == 400
        assert (await web.get("/staff?page=0")).status_code == 400
        assert (await web.get("/staff?page=²")).status_code == 400

        async with store.db.transaction() as conn:  # waiting since long before the SLA
            await conn.execute(
                "UPDATE reports SET sla_started_at = '2020-01-01T00:00:00+00:00' WHERE id = ?",
                (ref,),
            )
        overdue = await web.get("/staff?overdue=1")
        assert f"#{ref}" in overdue.text and "lewat SLA" in overdue.text

        exported = await web.get("/staff/export.csv?category=flood")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
        assert [int(row["id"]) for row in rows] == [ref]
        assert rows[0]["kelurahan"] == "Gambir" and rows[0]["description"] == DESCRIPTION
        assert rows[0]["overdue"] == "1"

        geo = await web.get("/staff/export.geojson")
        assert geo.headers["content-type"].startswith("application/geo+json")
        document = json.loads(geo.text)
        assert document["type"] == "FeatureCollection"
        [feature] = document["features"]
        assert feature["properties"]["id"] == ref and feature["properties"]["status"] == "new"
        lon, lat = feature["geometry"]["coordinates"]
        assert -6.3 < lat < -6.1 and 106.7 < lon < 106.9

        # The link again while its session lives (a second tap in Telegram): the list.
        again = await web.get(link)
        assert again.status_code == 303 and again.headers["location"] == "/staff"
        assert (await web.get("/staff/login?token=forged")).status_code == 400
        assert (await web.get("/staff/login")).status_code == 400
    async with client(staff_bot) as elsewhere:  # no session: the link works once
        used = await elsewhere.get(link)
        assert used.status_code == 401 and "sudah dipakai" in used.text


async def test_detail_photos_and_a_status_change_reach_the_citizen(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    other = await pinangsia_report(staff_bot)
    async with signed_in(staff_bot, officer) as web:
        detail = await web.get(f"/staff/reports/{ref}")
        assert detail.status_code == 200
        assert DESCRIPTION in detail.text and "Riwayat" in detail.text
        assert "🆕 Baru" in detail.text
        csrf = csrf_of(detail.text)
        [photo] = await store.reports.photos(ref)
        assert f"/staff/photos/{photo.file_id}" in detail.text
        image = await web.get(f"/staff/photos/{photo.file_id}")
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        assert image.content == jpeg(0)
        assert (await web.get(f"/staff/photos/{photo.file_id}")).content == jpeg(0)  # cached
        assert (await web.get("/staff/photos/unknown")).status_code == 404

        assert (await web.get(f"/staff/reports/{other}")).status_code == 403
        assert (await web.get("/staff/reports/999999")).status_code == 404
        assert (await web.get("/staff/reports/²")).status_code == 404
        moved = await web.post(
            f"/staff/reports/{other}/status", data={"csrf": csrf, "status": "acknowledged"}
        )
        assert moved.status_code == 403

        url = f"/staff/reports/{ref}/status"
        assert (await web.post(url, data={"status": "acknowledged"})).status_code == 403
        wrong = await web.post(url, data={"status": "acknowledged", "csrf": "0" * 64})
        assert wrong.status_code == 403
        assert (await store.reports.get(ref)).status == "new"
        rejected = await web.post(url, data={"status": "rejected", "csrf": csrf})
        assert rejected.status_code == 400 and "catatan" in rejected.text

        changed = await web.post(
            url, data={"status": "acknowledged", "csrf": csrf, "note": "Tim <SDA> meluncur"}
        )
        assert changed.status_code == 303, changed.text
        followup = await warga.next_message()
        assert f"#{ref}" in followup.plain_text and "sudah diterima" in followup.plain_text
        assert "Tim <SDA> meluncur" in followup.plain_text
        report = await store.reports.get(ref)
        assert report.status == "acknowledged"
        last = (await store.reports.events(ref))[-1]
        assert (last.actor_kind, last.actor_id, last.actor_name) == (
            "officer",
            officer.user_id,
            "Budi",
        )
        after = await web.get(changed.headers["location"])
        assert "Tim &lt;SDA&gt; meluncur" in after.text and "Tim <SDA>" not in after.text
        assert "diubah menjadi" in after.text

        again = await web.post(url, data={"status": "acknowledged", "csrf": csrf})
        assert again.status_code == 303  # the same status: accepted, nothing changes
        late = await web.post(url, data={"status": "new", "csrf": csrf})
        assert late.status_code == 400

        signed_out = await web.post("/staff/logout", data={"csrf": csrf})
        assert signed_out.status_code == 200
        assert (await web.get("/staff")).status_code == 401


async def test_expired_links_admins_and_strangers(sandbox, staff_bot, admin):
    services = staff_bot.services
    officer = await officer_for(sandbox, services.store, admin)
    other = await pinangsia_report(staff_bot)

    link = await login_link(officer)
    services.clock.advance(timedelta(minutes=11))
    try:
        async with client(staff_bot) as web:
            expired = await web.get(link)
    finally:
        services.clock.advance(-timedelta(minutes=11))
    assert expired.status_code == 401 and "kedaluwarsa" in expired.text

    async with signed_in(staff_bot, admin) as web:  # an admin sees every area
        listed = await web.get("/staff")
        assert f"#{other}" in listed.text and "Semua wilayah" in listed.text
        detail = await web.get(f"/staff/reports/{other}")
        changed = await web.post(
            f"/staff/reports/{other}/status",
            data={"csrf": csrf_of(detail.text), "status": "rejected", "note": "Bukan wewenang"},
        )
        assert changed.status_code == 303
    last = (await services.store.reports.events(other))[-1]
    assert last.actor_kind == "admin" and last.note == "Bukan wewenang"

    stranger = sandbox.citizen(first_name="Asing", language_code="en")
    await stranger.send("/weblogin")
    refusal = await stranger.next_message()
    assert "admins and officers only" in refusal.plain_text
    logins = await services.store.db.fetchone("SELECT COUNT(*) AS n FROM web_logins")
    assert logins["n"] == 2  # the officer's and the admin's; none for the stranger


async def test_a_used_or_expired_link_opens_the_list_while_its_session_lives(
    sandbox, staff_bot, admin
):
    services = staff_bot.services
    officer = await officer_for(sandbox, services.store, admin)
    async with signed_in(staff_bot, officer) as web:
        first = await login_link(officer)  # a second link, never opened, then expired
        services.clock.advance(timedelta(minutes=11))
        try:
            expired = await web.get(first)
            assert expired.status_code == 303 and expired.headers["location"] == "/staff"
            assert (await web.get("/staff")).status_code == 200
            csrf = csrf_of((await web.get("/staff")).text)
            assert (await web.post("/staff/logout", data={"csrf": csrf})).status_code == 200
            signed_out = await web.get(first)  # no session now: the link's own answer
        finally:
            services.clock.advance(-timedelta(minutes=11))
        assert signed_out.status_code == 401 and "kedaluwarsa" in signed_out.text


async def test_sessions_are_stored_hashed_and_expire(staff_bot):
    services = staff_bot.services
    sessions = WebSessionRepository(services.store.db)
    now = services.clock.now()
    token = await sessions.create_login(42, "Budi", now, timedelta(minutes=10))
    outcome, session = await sessions.redeem_login(token, now, timedelta(hours=12))
    assert outcome == "ok" and session
    stored = await services.store.db.fetchall("SELECT token_hash FROM web_sessions")
    assert [row["token_hash"] for row in stored] != [session]
    assert await sessions.session(session, now) is not None
    assert await sessions.session(session, now + timedelta(hours=13)) is None
    assert (await sessions.redeem_login(token, now, timedelta(hours=12)))[0] == "used"


def test_the_link_address_comes_from_the_settings(staff_bot):
    settings = staff_bot.settings
    assert web_base_url(settings) == BASE
    local = replace(settings, web_base_url=None, http_host="127.0.0.1", http_port=8080)
    assert web_base_url(local) == "http://127.0.0.1:8080"
    assert web_base_url(replace(local, http_port=None)) is None
