"""The staff pages in a real browser: headless Chromium (Debian's package) driven by Playwright
signs in through /weblogin's link, filters the list, changes a status, and the citizen hears.
The map renders from the bot's own Leaflet under the pages' Content-Security-Policy with no
violation reported; the browser reaches no other host (OpenStreetMap's tiles are answered by
the test with a blank image, anything else foreign is aborted and recorded).

At a desk (1280×800) and on a phone (390×844, touch): nothing is wider than the screen (the
document does not scroll sideways, and no element's box reaches past the viewport unless a
clipping box such as the map's holds it), the list is cards on the phone, the map sits above
it with a colour legend, and an officer resolves a report with a photo from the phone. When
the map cannot load (Leaflet blocked, tiles or reports unreachable, JavaScript off), a message
says so in its place.

Screenshots go to ``tmp_path``, or to ``$STAFF_SHOTS`` when set (e.g. ``/tmp/shots``), to look
at. Skipped when Chromium or Playwright is missing (README's test command on a bare machine);
`.ci/run` installs both, so CI runs it.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.domain.statuses import STATUSES
from tests.helpers import file_report
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for
from tests.test_staff_forms import no_metadata, phone_jpeg
from tests.test_staff_security import agency_report

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
#: Everything that pokes out of the viewport sideways: the document's own scroll width, each
#: element whose box reaches past either edge, and each line of text that does (a long word
#: overflows its box without widening it), unless an ancestor clips it (the map's tiles lie far
#: outside its box, hidden by its overflow).
OVERFLOW = """
(width) => {
  const root = document.documentElement;
  const clipped = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") {
        const rect = box.getBoundingClientRect();
        return rect.left >= -1 && rect.right <= width + 1;
      }
    }
    return false;
  };
  const outside = (rect) => rect.right > width + 1 || rect.left < -1;
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const rect = element.getBoundingClientRect();
    if (!rect.width && !rect.height) continue;
    if (outside(rect) && !clipped(element)) {
      wide.push(`${element.tagName}.${element.className} ${rect.left | 0}..${rect.right | 0}`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const lines = [...range.getClientRects()].filter((rect) => rect.width && outside(rect));
    if (lines.length && !clipped(node)) {
      wide.push(`text "${node.textContent.slice(0, 40)}" in ${node.parentElement.tagName}`);
    }
  }
  return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide};
}
"""
#: Whether an image has loaded (waiting for it: it is loading="lazy").
#: Whether an image shows: waits for it to load, and answers false on an error or after 10 s
#: (a promise that only listened for "load" hung the test forever on a photo that failed).
LOADED = """
(image) => image.complete
  ? image.naturalWidth > 0
  : new Promise((done) => {
      image.addEventListener("load", () => done(image.naturalWidth > 0));
      image.addEventListener("error", () => done(false));
      setTimeout(() => done(image.complete && image.naturalWidth > 0), 10000);
    })
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
DESK = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
LONG_WORD = "https://contoh.go.id/" + "SaluranTersumbat" * 12  # no place to break a line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("STAFF_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Seen:
    """What the browser asked of the world outside the bot, and what it logged."""

    tiles: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@asynccontextmanager
async def browser_page(
    port: int, *, block: tuple[str, ...] = (), **context: Any
) -> AsyncIterator[tuple[Any, Seen]]:
    """A page in a fresh Chromium; requests whose URL contains one of ``block`` fail."""
    seen = Seen()
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True
        )
        try:
            page = await (await browser.new_context(**context)).new_page()
            page.on("console", lambda message: seen.console.append(message.text))
            await page.add_init_script(WATCH_CSP)

            async def outside(route) -> None:
                url = route.request.url
                if any(part in url for part in block):
                    await route.abort()
                elif url.startswith("https://tile.openstreetmap.org/"):
                    seen.tiles.append(url)
                    await route.fulfill(body=TILE, content_type="image/png")
                elif url.startswith(f"http://127.0.0.1:{port}/"):
                    await route.continue_()
                else:
                    seen.foreign.append(url)
                    await route.abort()

            await page.route("**/*", outside)
            yield page, seen
        finally:
            await browser.close()


async def assert_fits(page, what: str) -> None:
    """Nothing wider than the screen. Measured against the width the test set: a phone's
    browser lays a page that overflows out wider (innerWidth grows with it)."""
    width = page.viewport_size["width"]
    found = await page.evaluate(OVERFLOW, width)
    assert found["innerWidth"] == width, (what, found)
    assert found["scrollWidth"] <= found["innerWidth"], (what, found)
    assert found["wide"] == [], (what, found)


async def staff_bot(sandbox, make_bot, admin):
    """A bot serving the pages on a real port, a Gambir group and officer, and a report."""
    port = free_port()
    bot = await make_bot(HTTP_HOST="127.0.0.1", HTTP_PORT=str(port), OUTBOX_POLL_SECONDS="0.3")
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    await next_alert(group)
    return bot, port, officer, warga, ref


async def login_link(officer, port: int) -> str:
    await officer.send("/weblogin")
    answer = await officer.next_message()
    link = re.search(rf"http://127\.0\.0\.1:{port}/staff/login\?token=\S+", answer.plain_text)
    assert link, answer.plain_text
    return link.group(0)


async def test_an_officer_works_a_report_from_the_browser(sandbox, make_bot, admin, tmp_path):
    bot, port, officer, warga, ref = await staff_bot(sandbox, make_bot, admin)
    store = bot.services.store
    link = await login_link(officer, port)
    async with browser_page(port, **DESK) as (page, seen):
        await page.goto(link)
        assert page.url.rstrip("/").endswith("/staff")
        await page.wait_for_selector("#map.leaflet-container", timeout=10_000)
        await page.wait_for_selector("#map[data-loaded='1']", timeout=10_000)  # one pin
        assert await page.evaluate("typeof window.L") == "object"
        marker = page.locator("#map path.marker.st-new")
        assert await marker.count() == 1  # a circle in the colour of "new"
        fill = await marker.evaluate("element => getComputedStyle(element).fill")
        swatch = await page.locator(".legend .swatch.st-new").evaluate(
            "element => getComputedStyle(element).backgroundColor"
        )
        assert fill == swatch == "rgb(211, 47, 47)"  # the stylesheet's colour of "new"
        assert await page.locator(".legend li").count() == len(STATUSES)  # every status
        map_box = await page.locator("#map").bounding_box()
        table = await page.locator("table.reports").bounding_box()
        assert map_box["y"] + map_box["height"] <= table["y"]  # the map above the list
        assert not await page.locator("#map .map-message").is_visible()
        assert await page.locator("#map img.leaflet-tile").count() > 0
        await assert_fits(page, "the list at a desk")
        await page.screenshot(path=str(shots(tmp_path) / "desk-list.png"), full_page=True)
        await marker.click()
        popup = page.locator(".leaflet-popup-content a")
        assert f"#{ref} · 🆕 Baru · 🌊 Banjir" in await popup.inner_text()
        assert await page.evaluate("window.__violations") == []

        await page.select_option("form.filters select[name=status]", "new")
        await page.click("form.filters button[type=submit]")
        await page.wait_for_load_state()
        assert "status=new" in page.url
        await page.click(f'table.reports a[href*="/staff/reports/{ref}"]')
        await page.wait_for_load_state()
        assert f"#{ref}" in await page.content()
        await page.wait_for_selector("#map.small[data-loaded='1']", timeout=10_000)
        assert await page.locator("#map path.marker.st-new").count() == 1
        osm = await page.locator("a.map-link").get_attribute("href")
        assert osm.startswith("https://www.openstreetmap.org/?mlat=-6.17")
        form = page.locator("form.status-form")
        assert await form.locator("select[name=status]").input_value() == ""  # nothing chosen
        duplicate = form.locator("input[name=duplicate_of]")
        assert not await duplicate.is_visible()
        await form.locator("select[name=status]").select_option("duplicate")
        assert await duplicate.is_visible()
        await form.locator("select[name=status]").select_option("acknowledged")
        assert not await duplicate.is_visible()
        await form.locator("textarea[name=note]").fill("Tim menuju lokasi")
        await assert_fits(page, "a report at a desk")
        await form.locator("button[type=submit]").click()
        await page.wait_for_load_state()
        await page.screenshot(path=str(shots(tmp_path) / "desk-detail.png"), full_page=True)
        assert "diubah menjadi 👀 Diterima" in await page.locator("#notice").inner_text()
        assert await page.evaluate("window.__violations") == []
        assert not [text for text in seen.console if "Content Security Policy" in text]
        assert seen.tiles and seen.foreign == []

    followup = await warga.next_message()
    assert f"Laporan #{ref}" in followup.plain_text and "sudah diterima" in followup.plain_text
    assert "Tim menuju lokasi" in followup.plain_text
    report = await store.reports.get(ref)
    assert report.status == "acknowledged"


async def test_on_a_phone_the_pages_fit_and_a_report_is_resolved_with_a_photo(
    sandbox, make_bot, admin, tmp_path
):
    bot, port, officer, warga, ref = await staff_bot(sandbox, make_bot, admin)
    store = bot.services.store
    wordy = await agency_report(
        bot, f"Saluran tersumbat, lihat {LONG_WORD} dan {LONG_WORD}", address=LONG_WORD
    )
    link = await login_link(officer, port)
    folder = shots(tmp_path)
    photo = tmp_path / "sesudah.jpg"
    photo.write_bytes(phone_jpeg((3000, 4000)))
    async with browser_page(port, **PHONE) as (page, seen):
        await page.goto(link)
        await page.wait_for_selector("#map[data-loaded='2']", timeout=10_000)
        cards = page.locator("table.reports tbody tr")
        assert await cards.count() == 2
        assert await cards.first.evaluate("row => getComputedStyle(row).display") == "block"
        assert not await page.locator("table.reports thead").is_visible()
        label = (
            await cards.first.locator("td")
            .nth(1)
            .evaluate("cell => getComputedStyle(cell, '::before').content")
        )
        assert label == '"Status: "'
        map_box = await page.locator("#map").bounding_box()
        assert (
            map_box["width"] <= 390
            and map_box["y"] + map_box["height"] <= (await cards.first.bounding_box())["y"]
        )
        await assert_fits(page, "the list on a phone")
        await page.screenshot(path=str(folder / "phone-list.png"), full_page=True)

        await page.goto(f"http://127.0.0.1:{port}/staff/reports/{wordy}")
        await page.wait_for_selector("#map.small[data-loaded='1']", timeout=10_000)
        await assert_fits(page, "a report with long words on a phone")

        await page.goto(link)  # the used link again, the session alive: the list
        assert page.url.rstrip("/").endswith("/staff")
        await page.click(f'table.reports a[href*="/staff/reports/{ref}"]')
        await page.wait_for_selector("#map.small[data-loaded='1']", timeout=10_000)
        await assert_fits(page, "a report on a phone")
        form = page.locator("form.status-form")
        for box in ("select[name=status]", "textarea[name=note]", "input[name=photo]"):
            bounds = await form.locator(box).bounding_box()
            assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 390, box
        await page.screenshot(path=str(folder / "phone-detail.png"), full_page=True)

        await form.locator("select[name=status]").select_option("rejected")
        await form.locator("input[name=photo]").set_input_files(str(photo))
        await form.locator("button[type=submit]").click()  # no reason: refused
        await page.wait_for_load_state()
        refusal = page.locator("#status-form > .error")
        assert "perlu catatan" in await refusal.inner_text()
        assert "pilih lagi" in await refusal.inner_text()
        assert await page.locator("header nav a").inner_text() == "Laporan"  # the usual page
        form = page.locator("form.status-form")
        assert await form.locator("select[name=status]").input_value() == "rejected"
        await assert_fits(page, "a refused change on a phone")
        await page.screenshot(path=str(folder / "phone-refused.png"), full_page=True)

        await form.locator("select[name=status]").select_option("resolved")
        await form.locator("textarea[name=note]").fill("Saluran sudah dikeruk, air surut")
        await form.locator("input[name=photo]").set_input_files(str(photo))
        await form.locator("button[type=submit]").click()
        await page.wait_for_load_state()
        notice = page.locator("#notice")
        assert "diubah menjadi ✅ Selesai" in await notice.inner_text()
        assert await notice.is_visible()
        officers = page.locator("h3", has_text="Dari petugas (foto sesudah)")
        assert await officers.count() == 1
        after = page.locator("h3 + .photos img").last
        await after.scroll_into_view_if_needed()
        assert await after.evaluate(LOADED)
        await assert_fits(page, "the resolved report on a phone")
        await page.screenshot(path=str(folder / "phone-resolved.png"), full_page=True)
        assert await page.evaluate("window.__violations") == []
        assert seen.foreign == []

    followup = await warga.next_message(timeout=5)
    assert followup.kind == "photo" and "sudah diselesaikan" in followup.plain_text
    assert "Saluran sudah dikeruk" in followup.plain_text
    no_metadata(sandbox.world.files[followup.photo].data)
    assert (await store.reports.get(ref)).status == "resolved"


async def test_a_message_takes_the_maps_place_when_it_cannot_load(
    sandbox, make_bot, admin, tmp_path
):
    _bot, port, officer, _warga, ref = await staff_bot(sandbox, make_bot, admin)
    folder = shots(tmp_path)
    cases = [
        ("/leaflet/leaflet.js", "Peta tidak dapat dimuat di sini", "map"),
        ("tile.openstreetmap.org", "Latar peta (OpenStreetMap) tidak dapat dimuat", "tiles"),
        ("/staff/export.geojson", "Titik laporan tidak dapat dimuat", "map"),
    ]
    for blocked, says, failed in cases:
        link = await login_link(officer, port)
        async with browser_page(port, block=(blocked,), **PHONE) as (page, _seen):
            await page.goto(link)
            message = page.locator("#map .map-message")
            await message.wait_for(state="visible", timeout=10_000)
            assert says in await message.inner_text(), blocked
            assert await page.locator("#map").get_attribute("data-failed") == failed
            assert await page.locator("table.reports tbody tr").count() == 1  # the list works
            await assert_fits(page, f"the list without {blocked}")
            name = re.sub(r"\W+", "-", blocked).strip("-")
            await page.screenshot(path=str(folder / f"phone-no-{name}.png"))

    link = await login_link(officer, port)
    async with browser_page(port, java_script_enabled=False, **PHONE) as (page, _seen):
        await page.goto(link)
        message = page.locator("#map .map-message")
        await message.wait_for(state="visible", timeout=10_000)  # after a moment, by CSS alone
        assert "Peta tidak dapat dimuat di sini" in await message.inner_text()
        await page.goto(f"http://127.0.0.1:{port}/staff/reports/{ref}")
        select = page.locator("form.status-form select[name=status]")
        duplicate = page.locator("form.status-form input[name=duplicate_of]")
        assert not await duplicate.is_visible()
        await select.select_option("duplicate")  # without JavaScript: the stylesheet shows it
        assert await duplicate.is_visible()
        await page.screenshot(path=str(folder / "phone-no-javascript.png"), full_page=True)
