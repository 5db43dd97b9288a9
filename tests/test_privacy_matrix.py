"""Each privacy mode on every surface, as one table (issue 18's "done when").

One reporter (Siti Rahayu, @siti_rahayu) files a normal, an anonymous and a confidential report
through the bot; every surface is read for each, and the table says what must and must not be
there:

- staff surfaces (the group's card, the staff report page and list, the CSV and GeoJSON
  exports, the CLI's ``case show``) list every mode; they name the reporter of a normal and of a
  confidential report (confidential is about publishing: the responsible officers may still ask
  who wrote, bot/domain/privacy.py) and never of an anonymous one. The staff list names no
  reporter at all; exports and the CLI never give a Telegram id.
- public surfaces (Open311's list and single request, read without a key) list normal and
  anonymous reports, never name a reporter, and have no confidential report at all: it reads as
  a number no report has.
- statistics are staff's only (/stats): an admin's count holds all three without a name; a
  citizen, the public, gets none.

Every "absent" has a "present" twin in another mode, so an assertion of absence can fail.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from tests.helpers import run_cli
from tests.test_groups import GAMBIR, linked_group, next_alert
from tests.test_open311 import BASE
from tests.test_open311_privacy import client as open311_client
from tests.test_privacy import NAME, SURNAME, USERNAME, file_as, reporter
from tests.test_privacy_pages import ANONYMOUS, CONFIDENTIAL
from tests.test_staff_pages import BASE as STAFF_SITE
from tests.test_staff_pages import signed_in
from tests.test_stats import stats_of

MODES = {"normal": None, "anonymous": ANONYMOUS, "confidential": CONFIDENTIAL}
TEXTS = {
    "normal": "Air setinggi lutut di depan pintu timur",
    "anonymous": "Sampah menumpuk di trotoar halte",
    "confidential": "Pohon tumbang menutup separuh jalan",
}
CATEGORIES = {"normal": "Banjir", "anonymous": "Sampah", "confidential": "Pohon"}
NAMES = {NAME, SURNAME, USERNAME}  # what a surface that names the reporter shows
WITH_ID = "id"  # … and the surfaces that link the profile show the Telegram id too


@dataclass
class World:
    """What the surfaces are read from: the bot, the reports by mode, the cards by ref."""

    bot: object
    warga: object
    refs: dict[str, int]
    cards: dict[int, str]
    web: object
    api: object


def identity(text: str, warga) -> set[str]:
    parts = {NAME: NAME, SURNAME: SURNAME, USERNAME: USERNAME, str(warga.user_id): WITH_ID}
    return {label for part, label in parts.items() if part in text}


# -- the surfaces: each reads one report, or None when the report is not there --------------


async def card(world: World, ref: int) -> str | None:
    return world.cards.get(ref)


async def staff_page(world: World, ref: int) -> str | None:
    page = await world.web.get(f"/staff/reports/{ref}")
    return page.text if page.status_code == 200 else None


async def staff_list(world: World, ref: int) -> str | None:
    listed = (await world.web.get("/staff")).text
    rows = [row for row in listed.split("<tr>") if f"/staff/reports/{ref}?" in row]
    return rows[0] if rows else None


async def csv_export(world: World, ref: int) -> str | None:
    exported = (await world.web.get("/staff/export.csv")).text.lstrip("\ufeff")
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(exported))}
    return json.dumps(rows[ref], ensure_ascii=False) if ref in rows else None


async def geojson_export(world: World, ref: int) -> str | None:
    features = json.loads((await world.web.get("/staff/export.geojson")).text)["features"]
    found = [f["properties"] for f in features if f["properties"]["id"] == ref]
    return json.dumps(found[0], ensure_ascii=False) if found else None


async def cli_show(world: World, ref: int) -> str | None:
    shown = await run_cli(world.bot, "case", "show", str(ref))
    assert shown.returncode == 0, shown.stderr
    return shown.stdout + shown.stderr


async def open311_one(world: World, ref: int) -> str | None:
    read = await world.api.get(f"{BASE}/requests/{ref}.json")
    if read.status_code == 404:
        missing = await world.api.get(f"{BASE}/requests/99999.json")
        assert read.text.replace(str(ref), "N") == missing.text.replace("99999", "N")
        return None
    assert read.status_code == 200, read.text
    return read.text


async def open311_list(world: World, ref: int) -> str | None:
    listed = (await world.api.get(f"{BASE}/requests.json")).json()
    found = [r for r in listed if r["service_request_id"] == str(ref)]
    return json.dumps(found[0], ensure_ascii=False) if found else None


@dataclass(frozen=True)
class Surface:
    name: str
    read: Callable[[World, int], Awaitable[str | None]]
    public: bool
    names: frozenset[str]  # what it shows of a reporter it may name
    marks: dict[str, str]  # the mode's mark it shows, by mode


NO_MARK: dict[str, str] = {}
SURFACES = (
    Surface(
        "group card",
        card,
        False,
        frozenset(NAMES | {WITH_ID}),
        {"anonymous": "🕶️ Pelapor anonim", "confidential": "🔒 Rahasia"},
    ),
    Surface(
        "staff page",
        staff_page,
        False,
        frozenset(NAMES | {WITH_ID}),
        {"anonymous": "identitas pelapor disembunyikan", "confidential": "🔒 Rahasia"},
    ),
    Surface(
        "staff list",
        staff_list,
        False,
        frozenset(),
        {"anonymous": "🕶️ Anonim", "confidential": "🔒 Rahasia"},
    ),
    Surface(
        "CSV export",
        csv_export,
        False,
        frozenset(NAMES),
        {"normal": '"public"', "anonymous": '"anonymous"', "confidential": '"confidential"'},
    ),
    Surface(
        "GeoJSON export",
        geojson_export,
        False,
        frozenset(NAMES),
        {"normal": '"public"', "anonymous": '"anonymous"', "confidential": '"confidential"'},
    ),
    Surface(
        "case show",
        cli_show,
        False,
        frozenset(NAMES),
        {"anonymous": "Reporter:    anonymous", "confidential": "Privacy:     confidential"},
    ),
    Surface("Open311 request", open311_one, True, frozenset(), NO_MARK),
    Surface("Open311 list", open311_list, True, frozenset(), NO_MARK),
)


def expected(surface: Surface, mode: str) -> tuple[bool, set[str]]:
    """(listed?, what of the reporter it shows) for a report of ``mode`` on ``surface``."""
    if surface.public:
        return mode != "confidential", set()
    return True, set() if mode == "anonymous" else set(surface.names)


@pytest.fixture
async def staff_bot(make_bot):
    return await make_bot(WEB_BASE_URL=STAFF_SITE)


async def test_each_privacy_mode_on_every_surface(sandbox, staff_bot, admin):
    bot, store = staff_bot, staff_bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = reporter(sandbox)
    refs, cards = {}, {}
    for mode, button in MODES.items():
        refs[mode] = await file_as(
            warga, button, category=CATEGORIES[mode], description=TEXTS[mode]
        )
        alert = await next_alert(group)
        cards[refs[mode]] = f"{alert.text}\n{alert.plain_text}"  # HTML: a profile link counts
    assert {m: (await store.reports.get(r)).visibility for m, r in refs.items()} == {
        "normal": "public",
        "anonymous": "anonymous",
        "confidential": "confidential",
    }

    failures = []
    async with signed_in(bot, admin) as web, open311_client(bot) as api:
        world = World(bot, warga, refs, cards, web, api)
        for surface in SURFACES:
            for mode, ref in refs.items():
                text = await surface.read(world, ref)
                listed, shown = expected(surface, mode)
                where = f"{surface.name} / {mode}"
                if text is None:
                    if listed:
                        failures.append(f"{where}: not there")
                    continue
                if not listed:
                    failures.append(f"{where}: there, and must not be")
                    continue
                if identity(text, warga) != shown:
                    failures.append(f"{where}: shows {sorted(identity(text, warga))}")
                if TEXTS[mode] not in text and surface.name != "staff list":
                    failures.append(f"{where}: not its report's text")
                mark = surface.marks.get(mode)
                if mark and mark not in text:
                    failures.append(f"{where}: no {mark!r}")
    assert failures == [], "\n".join(failures)

    # Statistics are for staff: the admin's count has all three, naming nobody; a citizen
    # (the public) gets no figures at all.
    figures = await stats_of(admin, "/stats all")
    assert identity(figures.text or "", warga) == set()
    assert "Jumlah laporan: 3" in figures.plain_text, figures.plain_text
    await warga.send("/stats")
    refused = await warga.next_message()
    assert "Statistik hanya untuk admin" in refused.plain_text
    assert "Jumlah laporan" not in refused.plain_text
