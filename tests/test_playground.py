"""The playground: README's first command with no token opens a page where every part of the bot
can be tried through the real bot and the built-in Bot API.

The subprocess test runs ``python -m bot`` as a newcomer does. The browser tests drive the page
in Debian's chromium (skipped when it or Playwright is missing, as the staff pages' test), at a
desktop size and at a phone's 390×844, where nothing may scroll sideways.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot.playground.config import PlaygroundConfig
from bot.playground.runner import Playground
from bot.playground.seed import SAMPLES
from bot.playground.web import build_web
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_python_m_bot_without_a_token_serves_the_playground(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(PYTHONPATH=str(ROOT), PLAYGROUND_PORT=str(port), DISPLAY="", WAYLAND_DISPLAY="")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,  # a fresh folder: no .env, no data yet
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    started = time.monotonic()
    try:
        page = None
        async with httpx.AsyncClient() as client:
            while time.monotonic() - started < 15 and process.returncode is None:
                try:
                    page = await client.get(f"http://127.0.0.1:{port}/")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        took = time.monotonic() - started
        assert page is not None, (await process.stderr.read()).decode()
        assert page.status_code == 200 and "WargaLapor playground" in page.text
        assert took < 10, f"the page took {took:.1f} s"
        assert (tmp_path / "data" / "playground" / "wargalapor.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 15)
    first = err.decode().splitlines()[0]
    assert "TELEGRAM_BOT_TOKEN is not set" in first and "@BotFather" in first
    assert f"http://127.0.0.1:{port}/" in out.decode()
    assert process.returncode == 0


# -- the page in a browser ----------------------------------------------------------------------

try:  # not at module level with importorskip: the subprocess test above needs no browser
    from playwright import async_api as playwright_api
except ImportError:  # pragma: no cover - the test extra installs it
    playwright_api = None
browser_only = pytest.mark.skipif(
    playwright_api is None or not CHROMIUM.exists(), reason="Playwright or chromium is missing"
)


@pytest.fixture
async def playground(tmp_path):
    config = PlaygroundConfig(port=free_port(), data_dir=tmp_path / "playground")
    running = Playground(config)
    await running.start()
    runner = web.AppRunner(build_web(running), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, config.host, config.port).start()
    yield running
    await runner.cleanup()
    await running.stop()


@pytest.fixture
async def browser():
    async with playwright_api.async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True
        )
        yield launched
        await launched.close()


async def open_as(browser, playground, role: str, viewport=DESKTOP):
    """A tab (its own context: its own person), switched to the first person with ``role``."""
    context = await browser.new_context(viewport=viewport)
    await context.route(
        lambda url: (
            not url.startswith(playground.config.url.rstrip("/")) and "127.0.0.1" not in url
        ),
        lambda route: route.abort(),
    )
    page = await context.new_page()
    page.set_default_timeout(8000)
    await page.goto(playground.config.url)
    await page.locator(f'#people button[data-role="{role}"]').first.click()
    return page


async def chat(page, title: str) -> None:
    await page.locator(".chat-item", has_text=title).click()


async def bot_says(page, text: str):
    """The last bubble holding ``text`` (waits for it)."""
    bubble = page.locator(".row", has_text=text).last
    try:
        await bubble.wait_for()
    except playwright_api.TimeoutError:
        shown = await page.locator("#messages").inner_text()
        shown += "\n" + await page.locator("#chat-title").inner_text()
        raise AssertionError(f"no {text!r} in the chat:\n{shown[-1500:]}") from None
    return bubble


async def type_in(page, text: str) -> None:
    await page.fill("#text", text)
    await page.click("#send")


async def no_sideways_scroll(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    view = await page.evaluate("window.innerWidth")
    assert width <= view, f"page is {width}px wide in a {view}px window"


@browser_only
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_report_from_map_and_photo_to_rating(browser, playground, viewport):
    siti = await open_as(browser, playground, "citizen", viewport)
    rina = await open_as(browser, playground, "officer", viewport)
    await chat(rina, "Kelurahan Gambir")

    await type_in(siti, "/report")
    await siti.locator("#keyboard button", has_text="Banjir").click()
    await bot_says(siti, "Kirim lokasi")
    if viewport is PHONE:  # the request-location button opens the same map picker
        await siti.locator("#keyboard button", has_text="Kirim lokasi saya").click()
    else:
        await siti.click("#attach")
        await siti.click("#attach-location")
    await siti.locator("#map").click()  # the map opens on Monas: its middle is in Gambir
    await siti.click("#send-location")
    await bot_says(siti, "Kirim foto")
    await siti.click("#attach")
    await siti.click("#attach-photo")
    await siti.set_input_files("#photo-files", str(SAMPLES / "banjir.jpg"))
    await siti.fill("#caption", "Air setinggi lutut di depan pintu timur sejak pagi")
    await siti.click("#send-photos")
    await bot_says(siti, "Ringkasan")
    await no_sideways_scroll(siti)
    await siti.locator("#keyboard button", has_text="Kirim laporan").click()
    await bot_says(siti, "#1004")

    card = await bot_says(rina, "Laporan #1004")
    await card.locator(".inline-kb button", has_text="Terima").click()
    await rina.locator("#toast", has_text="Diterima").wait_for()  # the callback's pop-up
    card = rina.locator(".row", has_text="Laporan #1004").last
    await card.locator(".bubble", has_text="Status: 👀 Diterima").wait_for()  # edited in place
    assert await rina.locator(".row", has_text="🚨 Laporan #1004").count() == 1  # not a new one
    await bot_says(siti, "sudah diterima petugas")
    await card.locator(".inline-kb button", has_text="Selesai").click()
    ask = await bot_says(rina, "sesudah")  # proof first: the citizen hears nothing yet
    assert await siti.locator(".row", has_text="sudah diselesaikan petugas").count() == 0
    await ask.locator(".reply-btn").click()
    await rina.click("#attach")
    await rina.click("#attach-photo")
    await rina.locator('#samples button[data-sample="perbaikan"]').click()
    await rina.click("#send-photos")
    after = siti.locator(".row", has=siti.locator("img.photo"), has_text="#1004").last
    await after.wait_for()
    await bot_says(siti, "sudah diselesaikan petugas")  # one follow-up, with the photo
    await no_sideways_scroll(rina)

    await siti.locator("#clock-box button", has_text="+1d").click()
    question = await bot_says(siti, "sudah beres?")
    await question.locator(".inline-kb button", has_text="Sudah beres").click()
    stars = await bot_says(siti, "ditutup")
    await stars.locator(".inline-kb button", has_text="4⭐").click()
    await bot_says(siti, "⭐⭐⭐⭐")
    await no_sideways_scroll(siti)


@browser_only
async def test_admin_broadcasts_to_every_citizen(browser, playground):
    newcomer = await open_as(browser, playground, "citizen")
    await newcomer.click("#add-citizen")  # a second citizen, who has to press START first
    await newcomer.locator("#chat-title", has_text="Warga 2").wait_for()
    await newcomer.click("button.start")
    await bot_says(newcomer, "WargaLapor")
    siti = await open_as(browser, playground, "citizen")
    admin = await open_as(browser, playground, "admin")

    await admin.locator(".chat-item", has_text="🤖 WargaLapor").click()
    await type_in(admin, "/broadcast")
    await bot_says(admin, "pengumuman")
    await type_in(admin, "Kerja bakti Minggu pagi di Monas")
    picker = await bot_says(admin, "Kirim ke siapa")
    await picker.locator(".inline-kb button", has_text="Semua warga").click()
    confirm = admin.locator(
        ".row", has=admin.locator(".inline-kb button", has_text="Kirim sekarang")
    )
    await confirm.last.locator(".inline-kb button", has_text="Kirim sekarang").click()
    await bot_says(siti, "Kerja bakti Minggu pagi")
    await bot_says(newcomer, "Kerja bakti Minggu pagi")
    await bot_says(admin, "selesai: terkirim")


@browser_only
async def test_a_week_later_the_survey_arrives_and_the_staff_pages_open(browser, playground):
    """A report resolved before the clock moves a week is asked about; the admin's staff pages
    open signed in from the page."""
    siti = await open_as(browser, playground, "citizen", PHONE)
    await siti.click("#attach")
    await siti.click("#attach-photo")
    await siti.locator('#samples button[data-sample="sampah"]').click()
    await siti.locator('#samples button[data-sample="jalan"]').click()
    await siti.click("#send-photos")  # two photos: one album, and a report begins with them
    await siti.locator(".row.out .album img.photo").nth(1).wait_for()
    assert await siti.locator(".row.out .album img.photo").count() == 2
    await type_in(siti, "/cancel")
    followup = siti.locator(".row", has_text="Laporan #1002").first
    await followup.locator(".reply-btn").click()  # ↩ reply: more information for #1002
    await type_in(siti, "Tumpukannya makin tinggi sejak kemarin sore")
    await bot_says(siti, "Ditambahkan ke laporan #1002")
    reply = siti.locator(".row.out", has_text="Tumpukannya makin tinggi")
    assert "Laporan #1002" in await reply.locator(".quote").inner_text()
    officer = playground.cast.officer
    from bot.domain.cases import Actor

    await playground.services.cases.change_status(
        1001, "resolved", Actor("officer", officer.user_id, officer.first_name)
    )
    await bot_says(siti, "sudah diselesaikan petugas")
    await siti.locator("#clock-box button", has_text="+1w").click()
    await bot_says(siti, "sudah beres?")  # a day after: asked, and a week after: closed
    await bot_says(siti, "ditutup karena tidak ada keberatan")
    await no_sideways_scroll(siti)

    admin = await open_as(browser, playground, "admin")
    async with admin.context.expect_page() as opened:
        await admin.click("#staff")
    staff = await opened.value
    await staff.wait_for_load_state()
    assert "/staff" in staff.url and "login" not in staff.url
    assert "#1001" in await staff.content()


async def test_the_api_answers_bad_requests_plainly_and_reset_starts_over(playground):
    base = playground.config.url.rstrip("/")
    siti = playground.cast.citizens[0]
    async with httpx.AsyncClient(base_url=base) as client:
        unknown = await client.post("/api/act", json={"as": 1, "chat": 1, "action": "text"})
        assert unknown.status_code == 404 and "no such person" in unknown.json()["error"]
        nowhere = await client.post(
            "/api/act",
            json={"as": siti.user_id, "chat": siti.chat_id, "action": "location", "lat": 91},
        )
        assert nowhere.status_code == 400 and "error" in nowhere.json()
        outsider = await client.get(
            f"/api/chat/{playground.cast.gambir.chat_id}", params={"as": siti.user_id}
        )
        assert outsider.status_code == 404  # a citizen does not read the officers' group
        not_staff = await client.post("/api/staff-link", json={"as": siti.user_id})
        assert not_staff.status_code == 400 and "not staff" in not_staff.json()["error"]
        sent = await client.post(
            "/api/act",
            json={"as": siti.user_id, "chat": siti.chat_id, "action": "text", "text": "/start"},
        )
        assert sent.status_code == 200
        added = (await client.post("/api/citizen")).json()["id"]
        state = (await client.get("/api/state")).json()
        assert added in [p["id"] for p in state["people"]]

        assert (await client.post("/api/reset")).json()["generation"] == 2
        state = (await client.get("/api/state")).json()
        assert [p["name"] for p in state["people"]] == [
            "Siti",
            "Rina (Petugas Gambir)",
            "Budi (Dinas SDA)",
            "Admin Kota",
        ]
        assert await playground.services.store.reports.get(1003) is not None
        assert await playground.services.store.reports.get(1004) is None


async def test_an_agency_group_admin_signs_in_to_the_staff_pages(playground):
    """The seeded agency (Dinas SDA, floods and blocked drains) has its group with the seeded
    flood's card, and its group's administrator gets a sign-in from "Staff pages" that shows
    Dinas SDA's reports only (the rubbish and the road are the kelurahan's)."""
    base = playground.config.url.rstrip("/")
    cast = playground.cast
    budi = cast.agency_head
    async with httpx.AsyncClient(base_url=base) as client:
        state = (await client.get("/api/state")).json()
        [listed] = [p for p in state["people"] if p["id"] == budi.user_id]
        assert (listed["role"], listed["name"]) == ("agency", "Budi (Dinas SDA)")
        assert cast.agency_group.chat_id in [c["id"] for c in listed["chats"]]
        group = await client.get(
            f"/api/chat/{cast.agency_group.chat_id}", params={"as": budi.user_id}
        )
        assert group.status_code == 200
        cards = [m["html"] for m in group.json()["messages"]]
        assert any("Laporan #1001" in card for card in cards), cards
        assert not any("#1002" in card or "#1003" in card for card in cards)

        link = await client.post("/api/staff-link", json={"as": budi.user_id})
        assert link.status_code == 200, link.text
    async with httpx.AsyncClient(follow_redirects=True) as web_client:
        page = await web_client.get(link.json()["url"])
    assert page.status_code == 200, page.text
    assert "/staff" in str(page.url) and "login" not in str(page.url)
    assert "#1001" in page.text and "Dinas SDA" in page.text
    assert "#1002" not in page.text and "#1003" not in page.text


@browser_only
async def test_the_agency_head_opens_the_staff_pages_from_the_page(browser, playground):
    budi = await open_as(browser, playground, "agency")
    await chat(budi, "Dinas SDA")
    await bot_says(budi, "Laporan #1001")  # the seeded flood's card, in the agency's group
    async with budi.context.expect_page() as opened:
        await budi.click("#staff")
    staff = await opened.value
    await staff.wait_for_load_state()
    assert "/staff" in staff.url and "login" not in staff.url
    content = await staff.content()
    assert "#1001" in content and "#1002" not in content
