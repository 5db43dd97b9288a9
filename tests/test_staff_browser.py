"""The staff pages in a real browser: headless Chromium (Debian's package) driven by Playwright
signs in through /weblogin's link, filters the list, changes a status, and the citizen hears.
The map renders from the bot's own Leaflet under the pages' Content-Security-Policy with no
violation reported; the browser reaches no other host (OpenStreetMap's tiles are answered by
the test with a blank image, anything else foreign is aborted and recorded).

Skipped when Chromium or Playwright is missing (README's test command on a bare machine);
`.ci/run` installs both, so CI runs it.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from tests.helpers import file_report
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for

CHROMIUM = Path("/usr/bin/chromium")
TILE = bytes.fromhex(  # a 1x1 transparent PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
#: Runs before the pages' own scripts (Playwright injects it past the CSP): every violation the
#: browser reports is kept for the test to read.
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_an_officer_works_a_report_from_the_browser(sandbox, make_bot, admin, tmp_path):
    port = free_port()
    bot = await make_bot(HTTP_HOST="127.0.0.1", HTTP_PORT=str(port), OUTBOX_POLL_SECONDS="0.3")
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    await next_alert(group)
    await officer.send("/weblogin")
    answer = await officer.next_message()
    link = re.search(rf"http://127\.0\.0\.1:{port}/staff/login\?token=\S+", answer.plain_text)
    assert link, answer.plain_text

    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True
        )
        try:
            page = await browser.new_page()
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            await page.add_init_script(WATCH_CSP)
            tiles: list[str] = []
            foreign: list[str] = []

            async def outside(route) -> None:
                url = route.request.url
                if url.startswith("https://tile.openstreetmap.org/"):
                    tiles.append(url)
                    await route.fulfill(body=TILE, content_type="image/png")
                elif url.startswith(f"http://127.0.0.1:{port}/"):
                    await route.continue_()
                else:
                    foreign.append(url)
                    await route.abort()

            await page.route("**/*", outside)
            await page.goto(link.group(0))
            assert page.url.rstrip("/").endswith("/staff")
            await page.wait_for_selector("#map.leaflet-container", timeout=10_000)
            await page.wait_for_selector("#map[data-loaded='1']", timeout=10_000)  # one pin
            assert await page.evaluate("typeof window.L") == "object"
            assert await page.locator("#map .leaflet-marker-icon").count() == 1
            assert await page.locator("#map img.leaflet-tile").count() > 0
            assert await page.evaluate("window.__violations") == []
            await page.select_option("form.filters select[name=status]", "new")
            await page.click("form.filters button[type=submit]")
            await page.wait_for_load_state()
            assert "status=new" in page.url
            await page.click(f'a[href*="/staff/reports/{ref}"]')
            await page.wait_for_load_state()
            assert f"#{ref}" in await page.content()
            await page.select_option('form[action*="/status"] select[name=status]', "acknowledged")
            await page.fill('form[action*="/status"] textarea[name=note]', "Tim menuju lokasi")
            await page.click('form[action*="/status"] button[type=submit]')
            await page.wait_for_load_state()
            await page.screenshot(path=str(tmp_path / "staff.png"), full_page=True)
            assert "Diterima" in await page.content()
            assert await page.evaluate("window.__violations") == []
            assert not [text for text in console if "Content Security Policy" in text], console
            assert tiles and foreign == []
        finally:
            await browser.close()

    followup = await warga.next_message()
    assert f"Laporan #{ref}" in followup.plain_text and "sudah diterima" in followup.plain_text
    assert "Tim menuju lokasi" in followup.plain_text
    report = await store.reports.get(ref)
    assert report.status == "acknowledged"
