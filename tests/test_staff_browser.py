"""The staff pages in a real browser: headless Chromium (Debian's package) driven by Playwright
signs in through /weblogin's link, filters the list, changes a status, and the citizen hears.

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
            await page.goto(link.group(0))
            assert page.url.rstrip("/").endswith("/staff")
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
        finally:
            await browser.close()

    followup = await warga.next_message()
    assert f"Laporan #{ref}" in followup.plain_text and "👀 Diterima" in followup.plain_text
    assert "Tim menuju lokasi" in followup.plain_text
    report = await store.reports.get(ref)
    assert report.status == "acknowledged"
