"""``POST requests``: the specification's form, with the service's questions as attribute[CODE]
(required ones enforced, each of its datatype), the place as coordinates or an address, and the
person's fields kept for staff and never shown publicly."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from tests.helpers import MONAS, run_cli
from tests.open311_spec import read, refused, valid
from tests.test_groups import GAMBIR, linked_group, next_alert
from tests.test_open311 import BASE, FLOOD, GAMBIR_CODE, client, new_key
from tests.test_staff_pages import signed_in

WHERE = {"lat": str(MONAS[0]), "long": str(MONAS[1])}
PERSON = {
    "email": "siti.rahma@example.co.id",
    "first_name": "Siti",
    "last_name": "Rahmawati",
    "phone": "0812-3456-7890",
    "account_id": "fms-4471",
    "device_id": "android-9f2c",
}


async def post(api, key: str, fmt: str = "xml", *pairs: tuple[str, str], **fields: str):
    """A form POST as clients send it: ``pairs`` keep repeated names in order."""
    body = [("api_key", key), *fields.items(), *pairs]
    return await api.post(
        f"{BASE}/requests.{fmt}",
        content=urlencode(body),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


async def test_answers_are_stored_checked_and_shown_to_the_officers(sandbox, bot, store, admin):
    gambir = await linked_group(sandbox, store, admin, GAMBIR)
    key = await new_key(bot)
    async with client(bot) as api:
        created = await post(
            api,
            key,
            "xml",
            ("attribute[water_depth_cm]", "40"),
            ("attribute[road_passable]", "no"),
            ("attribute[flooded_since]", "2026-12-01T05:30:00+07:00"),
            ("attribute[fms_private]", "ignored: no such question"),
            service_code="flood",
            description=FLOOD,
            **WHERE,
        )
        ref = int(valid(created, "created", 201)[0]["service_request_id"])
        [public] = valid(await api.get(f"{BASE}/requests/{ref}.json"), "requests")
    answers = await store.request_details.answers(ref)
    assert dict(answers) == {
        "water_depth_cm": ("40",),
        "road_passable": ("no",),
        "flooded_since": ("2026-12-01T05:30:00+07:00",),
    }
    card = await next_alert(gambir)
    assert "▫️ Kedalaman air (cm): 40" in card.plain_text
    assert "▫️ Apakah jalan bisa dilewati?: Tidak bisa dilewati" in card.plain_text
    assert public["description"] == FLOOD  # answers are for the officers, not the text


async def test_required_attributes_and_datatypes_are_enforced(bot, store):
    key = await new_key(bot)
    road = {"service_code": "road_damage", "description": "Lubang besar di jalan", **WHERE}
    async with client(bot) as api:
        missing = await post(api, key, "xml", **road)
        blank = await post(api, key, "xml", ("attribute[damage_size]", " "), **road)
        wrong = await post(api, key, "json", ("attribute[damage_size]", "huge"), **road)
        two = await post(
            api,
            key,
            "json",
            ("attribute[damage_size]", "small"),
            ("attribute[damage_size]", "large"),
            **road,
        )
        flood = {"service_code": "flood", "description": FLOOD, **WHERE}
        refusals = [
            (await post(api, key, "json", ("attribute[water_depth_cm]", "deep"), **flood)),
            (await post(api, key, "json", ("attribute[water_depth_cm]", "inf"), **flood)),
            (await post(api, key, "json", ("attribute[flooded_since]", "2026-12-01"), **flood)),
            (await post(api, key, "json", ("attribute[flooded_since]", "kemarin"), **flood)),
            (await post(api, key, "json", ("attribute[]", "x"), **flood)),
            (await post(api, key, "json", ("attribute[a][b]", "x"), **flood)),
        ]
        accepted = await post(api, key, "json", ("attribute[damage_size]", "medium"), **road)
    assert "attribute[damage_size] is required" in refused(missing, 400)
    assert "How large is the damage?" in refused(missing, 400)
    assert "is required" in refused(blank, 400)
    assert "small, medium, large" in refused(wrong, 400)
    assert "takes one value" in refused(two, 400)
    words = [refused(answer, 400) for answer in refusals]
    assert "must be a number" in words[0] and "finite" in words[1]
    assert "time zone" in words[2] and "W3C datetime" in words[3]
    assert all("attribute[CODE]=value" in said for said in words[4:])
    ref = int(valid(accepted, "created", 201)[0]["service_request_id"])
    assert dict(await store.request_details.answers(ref)) == {"damage_size": ("medium",)}


async def test_a_multivaluelist_takes_each_shape_clients_send(bot, store):
    key = await new_key(bot)
    garbage = {"service_code": "garbage", "description": "Sampah menumpuk", **WHERE}
    async with client(bot) as api:
        spec = await post(
            api,
            key,
            "xml",
            ("attribute[waste_kind][]", "household"),
            ("attribute[waste_kind][]", "bulky"),
            **garbage,
        )
        fixmystreet = await post(  # FixMyStreet repeats the name without []
            api,
            key,
            "xml",
            ("attribute[waste_kind]", "construction"),
            ("attribute[waste_kind]", "hazardous"),
            **garbage,
        )
        as_json = await api.post(
            f"{BASE}/requests.json",
            json={"api_key": key, **garbage, "attribute[waste_kind][]": ["bulky", "household"]},
        )
        unknown = await post(api, key, "xml", ("attribute[waste_kind][]", "nuclear"), **garbage)
    kinds = []
    for answer in (spec, fixmystreet, as_json):
        ref = int(read(answer, "created")[0]["service_request_id"])
        kinds.append(dict(await store.request_details.answers(ref))["waste_kind"])
    assert kinds == [("household", "bulky"), ("construction", "hazardous"), ("bulky", "household")]
    assert "not one of its keys" in refused(unknown, 400)


async def test_personal_fields_are_for_staff_only(sandbox, admin, caplog, make_bot):
    caplog.set_level(logging.DEBUG)
    running = await make_bot(WEB_BASE_URL="https://staff.test")
    store = running.services.store
    key = await new_key(running)
    async with client(running) as api:
        created = await post(
            api,
            key,
            "xml",
            ("attribute[water_depth_cm]", "25"),
            service_code="flood",
            description=FLOOD,
            **WHERE,
            **PERSON,
        )
        [answer] = valid(created, "created", 201)
        ref = int(answer["service_request_id"])
        public = [
            (await api.get(f"{BASE}/requests/{ref}.{fmt}")).text for fmt in ("xml", "json")
        ] + [(await api.get(f"{BASE}/requests.{fmt}")).text for fmt in ("xml", "json")]
        keyed = (await api.get(f"{BASE}/requests/{ref}.json", headers={"X-API-Key": key})).text
    assert answer["account_id"] == "fms-4471"  # the specification's answer echoes it
    details = await store.request_details.details(ref)
    assert details.agency == "Dinas SDA"
    assert details.extras.contact.phone == "0812-3456-7890"
    assert details.extras.contact.email == "siti.rahma@example.co.id"
    ours = "\n".join(  # the bot's own log lines (the real bot quiets aiosqlite's: test_logging)
        record.getMessage() + repr(record.__dict__)
        for record in caplog.records
        if record.name.startswith(("bot", "handlers", "storage", "uvicorn"))
    )
    for text in [*public, keyed, ours]:
        for value in ("siti.rahma", "Rahmawati", "3456", "fms-4471", "android-9f2c"):
            assert value not in text
    async with signed_in(running, admin) as web:
        page = (await web.get(f"/staff/reports/{ref}")).text
    assert "Dinas SDA" in page and "Kedalaman air (cm): 25" in page
    assert "Siti Rahmawati · siti.rahma@example.co.id · fms-4471" in page
    assert "3456" not in page  # a citizen's phone never reaches a page
    shown = await run_cli(running, "case", "show", str(ref))
    assert shown.returncode == 0, shown.stderr
    assert "Phone:       0812-3456-7890" in shown.stdout
    assert "Answer:      Water depth (cm): 25" in shown.stdout


async def test_bad_personal_fields_are_refused_without_quoting_them(bot):
    key = await new_key(bot)
    flood = {"service_code": "flood", "description": FLOOD, **WHERE}
    async with client(bot) as api:
        email = await post(api, key, "json", **flood, email="siti at example")
        phone = await post(api, key, "json", **flood, phone="call me: 0812")
        long_name = await post(api, key, "json", **flood, first_name="S" * 101)
    assert refused(email, 400) == "email is not an e-mail address"
    assert "0812" not in refused(phone, 400)
    assert "first_name is over 100" in refused(long_name, 400)


async def test_the_place_may_be_an_address_but_not_an_address_id(bot, store):
    key = await new_key(bot, "Kelurahan Gambir", [GAMBIR_CODE])
    flood = {"service_code": "flood", "description": FLOOD}
    async with client(bot) as api:
        by_name = await post(api, key, "xml", **flood, address_string="Kelurahan Gambir")
        unknown = await post(api, key, "xml", **flood, address_string="Jalan Antah Berantah 9")
        by_id = await post(api, key, "xml", **flood, address_id="UPRN-100023336956")
        nothing = await post(api, key, "xml", **flood)
        half = await post(api, key, "xml", **flood, lat=str(MONAS[0]))
    ref = int(valid(by_name, "created", 201)[0]["service_request_id"])
    report = await store.reports.get(ref)
    assert report.area_code == GAMBIR_CODE and report.address == "Kelurahan Gambir"
    assert "send lat and long" in refused(unknown, 400)
    assert "address_id is not known here" in refused(by_id, 400)
    assert "lat and long (or address_string) are required" in refused(nothing, 400)
    assert "long is required" in refused(half, 400)


async def test_description_is_optional_and_up_to_4000_characters(sandbox, bot, store, admin):
    gambir = await linked_group(sandbox, store, admin, GAMBIR)
    key = await new_key(bot)
    long_text = ("Air naik terus sejak subuh, warga mengungsi ke masjid. " * 80)[:4000]
    async with client(bot) as api:
        bare = await post(api, key, "json", service_code="flood", **WHERE)
        short = await post(api, key, "json", service_code="flood", description="Banjir", **WHERE)
        longest = await post(api, key, "json", service_code="flood", description=long_text, **WHERE)
    refs = [int(read(answer, "created")[0]["service_request_id"]) for answer in (bare, short)]
    assert [(await store.reports.get(ref)).description for ref in refs] == ["Banjir", "Banjir"]
    ref = int(valid(longest, "created", 201)[0]["service_request_id"])
    assert (await store.reports.get(ref)).description == long_text.strip()
    cards = [await next_alert(gambir) for _ in range(3)]
    assert len(cards[2].plain_text) <= 4096 and cards[2].plain_text.count("Air naik") < 80
    assert "…" in cards[2].plain_text  # the card shows the start; the staff pages the rest
