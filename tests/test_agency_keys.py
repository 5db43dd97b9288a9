"""An agency's API key and staff pages see its reports (issue 18): a key made with
``apikey create --agency`` reads and updates the reports its agency handles (its categories in its
areas, or a hand-off to it) in Open311 and the update API, and nothing else (404 for a read, 403
for an update); an administrator of an agency's linked group signs in to the staff pages and sees
and moves that agency's reports only."""

from __future__ import annotations

import pytest

from bot.domain.intake import AgencyReport, submit_agency_report
from storage.groups import Scope
from storage.report_query import ReportQuery
from tests.helpers import KOTA_TUA, file_report, run_cli
from tests.test_agencies import agency_group
from tests.test_open311 import BASE, assert_error, client
from tests.test_staff_pages import client as staff_client
from tests.test_staff_pages import csrf_of, signed_in

UPDATE = "/api/v1/requests/{}/updates"


async def agency_key(bot, name: str, agency: str, shown: str | None = None) -> str:
    """A key made by the CLI for ``agency`` (as typed); ``shown``: its name as stored."""
    made = await run_cli(bot, "apikey", "create", "--name", name, "--agency", agency)
    assert made.returncode == 0, made.stderr
    assert f"scope: the reports of {shown or agency}" in made.stdout
    return made.stdout.splitlines()[1].strip()


def ids_of(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [request["service_request_id"] for request in response.json()]


async def test_an_agency_key_reads_and_updates_its_agencys_reports_only(sandbox, bot, store, admin):
    await store.agencies.create("Dinas SDA", ["flood"], [], admin.user_id)
    await store.agencies.create("PLN", ["street_light"], [], admin.user_id)
    warga = sandbox.citizen()
    flood = await file_report(warga)
    light = await file_report(sandbox.citizen(), category="Lampu jalan mati")

    unknown = await run_cli(bot, "apikey", "create", "--name", "x", "--agency", "Dinas PU")
    assert unknown.returncode == 2 and "no agency named 'Dinas PU'" in unknown.stderr
    assert "Dinas SDA" in unknown.stderr
    both = await run_cli(
        bot, "apikey", "create", "--name", "x", "--agency", "PLN", "--areas", "Gambir"
    )
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    key = await agency_key(bot, "dinas-sda", "dinas sda", "Dinas SDA")
    listed = await run_cli(bot, "apikey", "list")
    assert "dinas-sda" in listed.stdout and "the reports of Dinas SDA" in listed.stdout
    headers = {"X-API-Key": key}

    async with client(bot) as api:
        # The public lists both; the agency's key lists its flood only, at its exact point.
        assert set(ids_of(await api.get(f"{BASE}/requests.json"))) == {str(flood), str(light)}
        mine = await api.get(f"{BASE}/requests.json", headers=headers)
        assert ids_of(mine) == [str(flood)]
        report = await store.reports.get(flood)
        assert (mine.json()[0]["lat"], mine.json()[0]["long"]) == (report.lat, report.lon)
        assert ids_of(await api.get(f"{BASE}/requests/{flood}.json", headers=headers)) == [
            str(flood)
        ]
        assert_error(
            await api.get(f"{BASE}/requests/{light}.json", headers=headers), 404, f"{light}"
        )
        assert ids_of(await api.get(f"{BASE}/requests/{light}.json")) == [str(light)]
        by_ids = {"service_request_id": f"{flood},{light}"}
        named = await api.get(f"{BASE}/requests.json", params=by_ids, headers=headers)
        assert ids_of(named) == [str(flood)]

        # Updates: its own report moves (and the reporter hears), the street light is refused.
        done = await api.post(
            UPDATE.format(flood), data={"status": "acknowledged"}, headers=headers
        )
        assert done.status_code == 200, done.text
        assert done.json()["changed"] is True
        assert f"#{flood}" in (await warga.next_message()).plain_text
        refused = await api.post(
            UPDATE.format(light), data={"status": "acknowledged"}, headers=headers
        )
        assert_error(refused, 403, "not handled by this api_key's agency")
        mysociety = await api.post(
            f"{BASE}/servicerequestupdates.json",
            data={"api_key": key, "service_request_id": str(light), "status": "INVESTIGATING"},
        )
        assert_error(mysociety, 403, "not handled by this api_key's agency")
        assert (await store.reports.get(light)).status == "new"
        assert (await store.reports.get(flood)).status == "acknowledged"
        last = (await store.reports.events(flood))[-1]
        assert (last.actor_kind, last.actor_name) == ("agency", "dinas-sda")

        # Its changes feed lists its own report's only; a duplicate of another's is refused.
        changes = await api.get(f"{BASE}/servicerequestupdates.json", params={"api_key": key})
        assert changes.status_code == 200, changes.text
        assert {u["service_request_id"] for u in changes.json()} == {str(flood)}
        dup = await api.post(
            UPDATE.format(flood),
            data={"status": "duplicate", "duplicate_of": str(light)},
            headers=headers,
        )
        assert_error(dup, 403, "duplicate_of")
        assert (await store.reports.get(flood)).status == "acknowledged"


async def test_an_agency_key_sees_a_report_handed_to_its_agency(sandbox, bot, store, admin):
    await store.agencies.create("Dinas SDA", ["flood"], [], admin.user_id)
    # PLN handles street lights in Gambir only: Kota Tua's are not its reports.
    await store.agencies.create(
        "PLN", ["street_light"], [Scope("kecamatan", "Gambir")], admin.user_id
    )
    flood = await file_report(sandbox.citizen())
    light = await file_report(sandbox.citizen(), category="Lampu jalan mati")
    far = await submit_agency_report(
        bot.services, AgencyReport("Seeder", "street_light", *KOTA_TUA, "Lampu mati di kali")
    )
    pln = {"X-API-Key": await agency_key(bot, "pln", "PLN")}
    sda = {"X-API-Key": await agency_key(bot, "sda", "Dinas SDA")}
    async with client(bot) as api:
        assert ids_of(await api.get(f"{BASE}/requests.json", headers=pln)) == [str(light)]
        assert_error(await api.get(f"{BASE}/requests/{far}.json", headers=pln), 404)
        assert_error(await api.get(f"{BASE}/requests/{flood}.json", headers=pln), 404)

        handed = await run_cli(
            bot, "case", "handoff", str(flood), "--to-agency", "PLN", "--note", "Tiang listrik"
        )
        assert handed.returncode == 0, handed.stderr
        assert sorted(ids_of(await api.get(f"{BASE}/requests.json", headers=pln))) == sorted(
            [str(flood), str(light)]
        )
        one = await api.get(f"{BASE}/requests/{flood}.json", headers=pln)
        assert one.json()[0]["agency_responsible"] == "PLN"
        # Given to PLN: no longer Dinas SDA's, though it is still a flood.
        assert ids_of(await api.get(f"{BASE}/requests.json", headers=sda)) == []
        assert_error(await api.get(f"{BASE}/requests/{flood}.json", headers=sda), 404)
        refused = await api.post(UPDATE.format(flood), data={"note": "Kami cek"}, headers=sda)
        assert_error(refused, 403)
        noted = await api.post(UPDATE.format(flood), data={"note": "Tim PLN"}, headers=pln)
        assert noted.status_code == 200, noted.text
        assert (await store.reports.events(flood))[-1].note == "Tim PLN"

        # Removing the agency revokes its key: it does not become a key for everywhere.
        removed = await run_cli(bot, "agency", "remove", "PLN")
        assert removed.returncode == 0, removed.stderr
        assert_error(await api.get(f"{BASE}/requests.json", headers=pln), 403, "not valid")
        gone = await api.post(UPDATE.format(light), data={"note": "x"}, headers=pln)
        assert_error(gone, 401, "not valid")


@pytest.fixture
async def staff_bot(make_bot):
    return await make_bot(WEB_BASE_URL="https://staff.test")


async def test_an_agency_group_admin_sees_and_moves_its_agencys_reports(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    sda = await agency_group(sandbox, store, admin, "Dinas SDA", ["flood"])
    kepala = sandbox.citizen(first_name="Kepala SDA")
    sda.add_member(kepala, status="administrator")
    member = sandbox.citizen(first_name="Anggota")
    sda.add_member(member)
    warga = sandbox.citizen()
    flood = await file_report(warga)
    light = await file_report(sandbox.citizen(), category="Lampu jalan mati")

    await member.send("/weblogin")  # a member, not an administrator: not the agency's officer
    assert "hanya untuk admin dan petugas" in (await member.next_message()).plain_text

    async with signed_in(staff_bot, kepala) as web:
        listed = await web.get("/staff")
        assert listed.status_code == 200, listed.text
        assert f"#{flood}" in listed.text and f"#{light}" not in listed.text
        assert "Dinas SDA" in listed.text
        exported = await web.get("/staff/export.csv")
        assert f"{flood}" in exported.text and f"\n{light}," not in exported.text
        assert (await web.get(f"/staff/reports/{light}")).status_code == 403
        detail = await web.get(f"/staff/reports/{flood}")
        assert detail.status_code == 200
        csrf = csrf_of(detail.text)
        refused = await web.post(
            f"/staff/reports/{light}/status", data={"csrf": csrf, "status": "acknowledged"}
        )
        assert refused.status_code == 403
        moved = await web.post(
            f"/staff/reports/{flood}/status",
            data={"csrf": csrf, "status": "acknowledged", "note": "Tim SDA meluncur"},
        )
        assert moved.status_code == 303, moved.text
        assert "Tim SDA meluncur" in (await warga.next_message()).plain_text
        assert (await store.reports.get(flood)).status == "acknowledged"
        assert (await store.reports.get(light)).status == "new"

    async with staff_client(staff_bot) as web:
        assert (await web.get("/staff")).status_code == 401


async def test_an_agency_key_files_only_what_its_agency_handles(sandbox, bot, store, admin):
    """A key that could not read a request back may not file it either: Dinas SDA's key files a
    flood, but a street light (PLN's) is refused with 403 and nothing is stored."""
    await store.agencies.create(
        "Dinas SDA", ["flood"], [Scope("kecamatan", "Gambir")], admin.user_id
    )
    key = await agency_key(bot, "dinas-sda", "Dinas SDA")
    where = {"lat": "-6.1754", "long": "106.8272"}  # Monas, kecamatan Gambir
    async with client(bot) as api:
        light = await api.post(
            f"{BASE}/requests.json",
            data={
                "api_key": key,
                "service_code": "street_light",
                "description": "Lampu mati",
                **where,
            },
        )
        assert_error(light, 403, "not handled by Dinas SDA")
        elsewhere = await api.post(
            f"{BASE}/requests.json",
            data={
                "api_key": key,
                "service_code": "flood",
                "description": "Banjir di Kota Tua",
                "lat": str(KOTA_TUA[0]),
                "long": str(KOTA_TUA[1]),
            },
        )
        assert_error(elsewhere, 403, "not handled by Dinas SDA")
        assert await store.reports.count(ReportQuery()) == 0
        flood = await api.post(
            f"{BASE}/requests.json",
            data={
                "api_key": key,
                "service_code": "flood",
                "description": "Banjir di Monas",
                **where,
            },
        )
        assert flood.status_code == 201, flood.text
        ref = flood.json()[0]["service_request_id"]
        read = await api.get(f"{BASE}/requests/{ref}.json", headers={"X-API-Key": key})
        assert ids_of(read) == [ref]
