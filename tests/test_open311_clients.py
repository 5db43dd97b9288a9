"""Clients no one here wrote, over a real socket: the ``georeport`` package from PyPI (services,
a definition, requests and a request by id, in XML and JSON), and FixMyStreet's Open311 client
as it sends and reads (tests/fixmystreet.py), filing a report that an officer then handles in
the group, and reading the change back from servicerequestupdates.xml. Every answer is checked
against the specification's field rules (tests/open311_spec.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
from georeport import GeoReport

from tests.fixmystreet import Open311, Open311Failed, Problem
from tests.helpers import KOTA_TUA, MONAS
from tests.open311_spec import (
    REQUEST_FIELDS,
    check_definition,
    check_requests,
    check_services,
    check_updates,
    same,
)
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for
from tests.test_open311 import FLOOD, free_port, new_key, seed

JURISDICTION = "jakarta.go.id"


@pytest.fixture
async def served(make_bot):
    """The bot with its HTTP server on a free port: (the running bot, the Open311 base URL)."""
    port = free_port()
    running = await make_bot(
        HTTP_PORT=str(port),
        WEB_BASE_URL=f"http://127.0.0.1:{port}",
        OPEN311_JURISDICTION_ID=JURISDICTION,
    )
    return running, f"http://127.0.0.1:{port}/open311/v2"


def as_list(value) -> list:
    """xmltodict gives one entry as a dict, several as a list, none as None."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def from_xmltodict(value):
    """xmltodict's None for an empty element is the specification's empty text."""
    if isinstance(value, dict):
        return {key: from_xmltodict(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_xmltodict(item) for item in value]
    return "" if value is None else value


async def test_the_georeport_client_reads_everything_in_both_formats(served):
    running, root = served
    refs = [
        await seed(running),
        await seed(running, "garbage", KOTA_TUA, "Sampah menumpuk di pinggir kali"),
    ]
    found = {}
    for fmt in ("json", "xml"):
        client = GeoReport(root, jurisdiction=JURISDICTION, output_format=fmt)
        found[fmt] = await asyncio.gather(
            asyncio.to_thread(client.get_service_list),
            asyncio.to_thread(client.get_service_definition, "flood"),
            asyncio.to_thread(client.get_service_requests, status="open"),
            asyncio.to_thread(
                client.get_service_requests, service_request_id=f"{refs[0]},{refs[1]}"
            ),
            asyncio.to_thread(client.get_service_request, str(refs[1])),
        )
    services, flood, listed, by_ids, one = found["json"]
    check_services(services)
    check_definition(flood, "flood")
    check_requests([*listed, *by_ids, one])
    assert [r["service_request_id"] for r in listed] == [str(refs[1]), str(refs[0])]
    assert {r["service_request_id"] for r in by_ids} == {str(r) for r in refs}
    assert one["service_code"] == "garbage" and one["description"].startswith("Sampah")
    # XML, as xmltodict reads it: the same answers.
    x_services, x_flood, x_listed, x_by_ids, x_one = (from_xmltodict(v) for v in found["xml"])
    x_flood["attributes"] = as_list(x_flood["attributes"]["attribute"])
    for attribute in x_flood["attributes"]:
        if "values" in attribute:
            attribute["values"] = as_list(attribute["values"]["value"])
    same(services, x_services)
    same(flood, x_flood)
    same(listed, as_list(x_listed))
    same(by_ids, as_list(x_by_ids))
    same(one, x_one)
    assert list(x_one) == REQUEST_FIELDS


async def test_fixmystreet_files_an_officer_acts_and_fixmystreet_reads_the_updates(
    sandbox, served, admin
):
    running, root = served
    store = running.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    group.add_member(officer)
    key = await new_key(running, "FixMyStreet Jakarta")
    fms = Open311(f"{root}/", key, jurisdiction=JURISDICTION)
    try:
        listed = await fms.get_service_list()
        assert "flood" in {service["service_code"] for service in listed["service"]}
        meta = await fms.get_service_meta_info("flood")
        assert [a["code"] for a in meta["attributes"]["attribute"]][:2] == [
            "water_depth_cm",
            "road_passable",
        ]
        problem = Problem(
            title="Banjir di depan halte",
            detail=FLOOD,
            latitude=MONAS[0],
            longitude=MONAS[1],
            name="Siti Rahmawati",
            email="siti@example.co.id",
            phone="+62 812 3456 7890",
            image_url="https://fixmystreet.example/photo/1.full.jpeg",
            extra={"water_depth_cm": "40", "road_passable": "large_vehicles"},
        )
        started = datetime.now(UTC) - timedelta(minutes=5)
        service_request_id = await fms.send_service_request(problem, "flood")
        assert service_request_id and service_request_id.isdigit()
        sent = fms.sent[-1]
        assert sent.method == "POST" and sent.url.path == "/open311/v2/requests.xml"
        assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
        form = dict(parse_qsl(sent.content.decode()))
        assert form["attribute[water_depth_cm]"] == "40"
        assert form["jurisdiction_id"] == JURISDICTION and form["api_key"] == key
        ref = int(service_request_id)
        details = await store.request_details.details(ref)
        assert details.extras.contact.first_name == "Siti"
        assert details.extras.media_url == problem.image_url

        # The officers get the alert with the answers, and act on it in the group.
        card = await next_alert(group)
        assert f"#{ref}" in card.plain_text and "Hanya kendaraan besar" in card.plain_text
        await group.tap(officer, "Terima", message=card)
        card = await group.next_edit(card)
        await group.reply_to(card, officer, "Tim pompa menuju lokasi, hubungi 0812-9999-0000")
        await group.next_message()  # "note added"
        for _ in range(50):
            if len(await store.reports.events(ref)) >= 3:
                break
            await asyncio.sleep(0.05)

        updates = await fms.get_service_request_updates(started, datetime.now(UTC))
        request_sent = fms.sent[-1]
        assert request_sent.url.params["api_key"] == key  # in the URL, as FixMyStreet sends it
        ours = [u for u in updates if u["service_request_id"] == service_request_id]
        check_updates([{k: v if v is not None else "" for k, v in u.items()} for u in ours])
        assert [u["status"] for u in ours] == ["INVESTIGATING", "INVESTIGATING"]
        assert ours[0]["description"] is None  # the acknowledgement carries no words
        assert ours[1]["description"] == "Tim pompa menuju lokasi, hubungi [phone]"
        assert int(ours[0]["update_id"]) < int(ours[1]["update_id"])

        # FixMyStreet passes its own user's comment on; it becomes a note of the case.
        update_id = await fms.post_service_request_update(
            service_request_id=service_request_id,
            status="OPEN",
            text="Air mulai surut di sisi utara",
            name="Budi Santoso",
            update_id=7781,
            confirmed=datetime.now(UTC),
        )
        events = await store.reports.events(ref)
        assert (
            update_id == str(events[-1].id) and events[-1].note == "Air mulai surut di sisi utara"
        )
        assert (events[-1].actor_kind, events[-1].actor_name) == ("agency", "FixMyStreet Jakarta")

        with pytest.raises(Open311Failed) as failed:
            await fms.send_service_request(problem, "volcano")
        assert "400: unknown service_code 'volcano'" in str(failed.value)
        wrong = Open311(f"{root}/", "wl_" + "x" * 43, jurisdiction=JURISDICTION)
        with pytest.raises(Open311Failed) as refused:
            await wrong.send_service_request(problem, "flood")
        await wrong.close()
        assert "403: api_key is not valid" in str(refused.value)
    finally:
        await fms.close()
