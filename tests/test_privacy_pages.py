"""Anonymous and confidential reports on every surface besides the chat (issue 18): the staff
pages (list, detail, CSV and GeoJSON), the case CLI and Open311 (requests, updates, media).

One reporter files three reports, normal, anonymous and confidential; each surface is read for
each, and the normal one shows her where the anonymous one must not.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.domain.cases import Actor
from tests.helpers import run_cli
from tests.test_groups import PINANGSIA, officer_for
from tests.test_open311 import BASE, GAMBIR_CODE, PINANGSIA_CODE, new_key
from tests.test_open311_privacy import client as open311_client
from tests.test_privacy import NAME, SURNAME, USERNAME, file_as, identity_in, reporter
from tests.test_staff_pages import BASE as STAFF_SITE
from tests.test_staff_pages import signed_in

ANONYMOUS, CONFIDENTIAL = "🕶️ Jadikan anonim", "🔒 Jadikan rahasia"
OFFICER = Actor(kind="officer", id=1, name="Dinas SDA")


@pytest.fixture
async def staff_bot(make_bot):
    return await make_bot(WEB_BASE_URL=STAFF_SITE)


async def three_reports(sandbox, bot):
    """Siti's normal flood, anonymous garbage and confidential fallen tree, all in Gambir;
    each gets a staff note, so Open311's updates have something of each."""
    warga = reporter(sandbox)
    normal = await file_as(warga, None, description="Air setinggi lutut di depan pintu timur")
    anonymous = await file_as(
        warga, ANONYMOUS, category="Sampah", description="Sampah menumpuk di trotoar halte"
    )
    confidential = await file_as(
        warga, CONFIDENTIAL, category="Pohon", description="Pohon tumbang menutup separuh jalan"
    )
    for ref in (normal, anonymous, confidential):
        await bot.services.cases.change_status(ref, "acknowledged", OFFICER, note="Tim meluncur")
    return warga, normal, anonymous, confidential


def rows_of(exported: str) -> dict[int, dict[str, str]]:
    return {int(row["id"]): row for row in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))}


async def test_staff_pages_and_exports(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    elsewhere = await officer_for(sandbox, store, admin, scope=PINANGSIA, name="Joko")
    warga, normal, anonymous, confidential = await three_reports(sandbox, staff_bot)
    for person in (officer, admin):  # the area's officer and an admin see all three
        async with signed_in(staff_bot, person) as web:
            listed = (await web.get("/staff")).text
            for ref in (normal, anonymous, confidential):
                assert f"#{ref}" in listed
            assert "🕶️ Anonim" in listed and "🔒 Rahasia" in listed
            assert identity_in(listed, warga) == []  # the list names no reporter at all

            shown = (await web.get(f"/staff/reports/{normal}")).text
            assert f"{NAME} {SURNAME} @{USERNAME}" in shown
            assert f"tg://user?id={warga.user_id}" in shown
            hidden = (await web.get(f"/staff/reports/{anonymous}")).text
            assert "identitas pelapor disembunyikan" in hidden and "Tim meluncur" in hidden
            assert identity_in(hidden, warga) == []
            secret = await web.get(f"/staff/reports/{confidential}")
            assert secret.status_code == 200 and "🔒 Rahasia" in secret.text

            table = rows_of((await web.get("/staff/export.csv")).text)
            assert (table[normal]["privacy"], table[normal]["reporter_name"]) == (
                "public",
                f"{NAME} {SURNAME}",
            )
            assert table[normal]["reporter_username"] == USERNAME
            assert table[anonymous]["privacy"] == "anonymous"
            assert identity_in(" ".join(table[anonymous].values()), warga) == []
            assert table[confidential]["privacy"] == "confidential"
            features = {
                feature["properties"]["id"]: feature["properties"]
                for feature in json.loads((await web.get("/staff/export.geojson")).text)["features"]
            }
            assert features[normal]["reporter_username"] == USERNAME
            assert features[anonymous]["privacy"] == "anonymous"
            assert identity_in(json.dumps(features[anonymous], ensure_ascii=False), warga) == []
    async with signed_in(staff_bot, elsewhere) as web:  # Pinangsia's officer: none of them
        assert (await web.get(f"/staff/reports/{confidential}")).status_code == 403
        listed = (await web.get("/staff")).text
        assert f"#{confidential}" not in listed and f"#{anonymous}" not in listed


async def test_the_case_cli(sandbox, bot):
    warga, normal, anonymous, confidential = await three_reports(sandbox, bot)
    shown = await run_cli(bot, "case", "show", str(normal))
    assert shown.returncode == 0, shown.stderr
    assert f"Reporter:    {NAME} {SURNAME} @{USERNAME}" in shown.stdout
    assert str(warga.user_id) not in shown.stdout  # the CLI never prints an id
    hidden = await run_cli(bot, "case", "show", str(anonymous))
    assert "Privacy:     anonymous" in hidden.stdout and "Reporter:    anonymous" in hidden.stdout
    assert "Tim meluncur" in hidden.stdout
    assert identity_in(hidden.stdout + hidden.stderr, warga) == []
    secret = await run_cli(bot, "case", "show", str(confidential))
    assert "Privacy:     confidential" in secret.stdout
    listed = await run_cli(bot, "case", "list", "--area", "Gambir")
    lines = {line.split()[0]: line for line in listed.stdout.splitlines() if line.startswith("#")}
    assert lines[f"#{anonymous}"].endswith("[anonymous]")
    assert lines[f"#{confidential}"].endswith("[confidential]")
    assert not lines[f"#{normal}"].endswith("]")
    assert identity_in(listed.stdout, warga) == []


async def test_open311_lists_the_anonymous_and_hides_the_confidential(sandbox, bot):
    warga, normal, anonymous, confidential = await three_reports(sandbox, bot)
    gambir = await new_key(bot, "Kel. Gambir", [GAMBIR_CODE])
    pinangsia = await new_key(bot, "Kel. Pinangsia", [PINANGSIA_CODE])
    photo_ids = await bot.services.store.public_reports.first_photos([anonymous, confidential])
    for headers in ({}, {"X-API-Key": gambir}, {"X-API-Key": pinangsia}):
        async with open311_client(bot) as api:
            answer = await api.get(f"{BASE}/requests.json", headers=headers)
            listed = {request["service_request_id"] for request in answer.json()}
            assert {str(normal), str(anonymous)} <= listed and str(confidential) not in listed
            assert identity_in(answer.text, warga) == []
            read = await api.get(f"{BASE}/requests/{anonymous}.json", headers=headers)
            assert read.status_code == 200 and identity_in(read.text, warga) == []
            for path in (
                f"{BASE}/requests/{confidential}.json",
                f"{BASE}/requests/{confidential}.xml",
                f"{BASE}/media/{photo_ids[confidential]}.jpg",
            ):
                hidden = await api.get(path, headers=headers)
                missing = await api.get(path.replace(str(confidential), "99999"), headers=headers)
                assert hidden.status_code == 404, (path, hidden.text)
                if "media" not in path:  # a hidden one reads as one that does not exist
                    assert hidden.text.replace(str(confidential), "N") == missing.text.replace(
                        "99999", "N"
                    )
            chosen = await api.get(
                f"{BASE}/requests.json",
                params={"service_request_id": f"{normal},{confidential}"},
                headers=headers,
            )
            assert [r["service_request_id"] for r in chosen.json()] == [str(normal)]
            updates = await api.get(f"{BASE}/servicerequestupdates.json", headers=headers)
            ids = {update["service_request_id"] for update in updates.json()}
            assert {str(normal), str(anonymous)} <= ids and str(confidential) not in ids
            assert identity_in(updates.text, warga) == []
