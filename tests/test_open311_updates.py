"""mySociety's servicerequestupdates: every public change of a request with mySociety's status
words, a citizen's own words never there, the public reads' visibility rules, and agencies'
updates in mySociety's shape on both update routes."""

from __future__ import annotations

from bot.domain.cases import Actor, anywhere
from tests.helpers import KOTA_TUA
from tests.open311_spec import refused, valid
from tests.test_open311 import BASE, GAMBIR_CODE, PINANGSIA_CODE, client, new_key, seed

OFFICER = Actor("officer", 1, "Budi")
UPDATES = f"{BASE}/servicerequestupdates"


async def updates(api, fmt: str = "json", **params) -> list[dict]:
    return valid(await api.get(f"{UPDATES}.{fmt}", params=params), "updates")


async def test_every_status_has_its_mysociety_word(bot, store):
    cases = bot.services.cases
    first, second, third = [await seed(bot) for _ in range(3)]
    await cases.change_status(first, "acknowledged", OFFICER)
    await cases.change_status(first, "in_progress", OFFICER)
    await cases.change_status(first, "resolved", OFFICER, note="Pompa sudah dinyalakan")
    await cases.change_status(first, "closed", Actor("system", None, None))
    await cases.change_status(second, "rejected", OFFICER, note="Bukan wewenang kelurahan")
    await cases.change_status(
        third, "duplicate", OFFICER, duplicate_of=first, may_touch_original=anywhere
    )
    async with client(bot) as api:
        as_json = await updates(api)
        as_xml = await updates(api, "xml")
    words = [(int(u["service_request_id"]), u["status"], u["description"]) for u in as_json]
    assert words == [
        (first, "INVESTIGATING", ""),
        (first, "IN_PROGRESS", ""),
        (first, "FIXED", "Pompa sudah dinyalakan"),
        (first, "CLOSED", ""),
        (second, "NO_FURTHER_ACTION", "Bukan wewenang kelurahan"),
        (third, "DUPLICATE", f"Duplicate of request {first}"),
    ]
    assert [u["update_id"] for u in as_xml] == [u["update_id"] for u in as_json]
    ids = [int(u["update_id"]) for u in as_json]
    assert ids == sorted(ids)  # oldest first


async def test_a_citizens_words_never_appear_and_a_reopening_reads_open(sandbox, bot, store):
    ref = await seed(bot)
    cases = bot.services.cases
    citizen = Actor("citizen", 555, None)
    await cases.change_status(ref, "resolved", OFFICER)
    await cases.change_status(ref, "reopened", citizen, note="Belum beres, rumah saya no. 12")
    await cases.add_note(ref, citizen, note="Alamat saya Jl. Kenari 12, hp 0812 3456 7890")
    await cases.add_note(ref, OFFICER, note="Tim kembali besok pagi")
    async with client(bot) as api:
        found = await updates(api)
    assert [(u["status"], u["description"]) for u in found] == [
        ("FIXED", ""),
        ("OPEN", ""),  # the reopening is public; what the citizen wrote is not
        ("OPEN", "Tim kembali besok pagi"),
    ]


async def test_sensitive_reports_updates_follow_the_readers_key(bot):
    threat = await seed(bot, "security", description="Orang mabuk membawa senjata tajam")
    flood = await seed(bot)
    for ref in (threat, flood):
        await bot.services.cases.change_status(ref, "acknowledged", OFFICER)
    gambir = await new_key(bot, "Kel. Gambir", [GAMBIR_CODE])
    pinangsia = await new_key(bot, "Kel. Pinangsia", [PINANGSIA_CODE])

    async def seen(**params) -> list[int]:
        return [int(u["service_request_id"]) for u in await updates(api, "xml", **params)]

    async with client(bot) as api:
        assert await seen() == [flood]
        assert await seen(api_key="") == [flood]  # FixMyStreet's empty key: anonymous
        assert await seen(api_key=pinangsia) == [flood]
        assert await seen(api_key=gambir) == [threat, flood]  # in the query: allowed here
        in_header = await api.get(f"{UPDATES}.json", headers={"X-API-Key": gambir})
        dead = await api.get(f"{UPDATES}.xml", params={"api_key": "wl_nope"})
        elsewhere = await api.get(f"{BASE}/requests.json", params={"api_key": gambir})
    assert [int(u["service_request_id"]) for u in valid(in_header, "updates")] == [threat, flood]
    assert "not valid" in refused(dead, 403)
    assert "must not be in the URL" in refused(elsewhere, 400)  # only this route takes it there


async def test_dates_and_paging_bound_the_list(bot, store):
    refs = [await seed(bot) for _ in range(3)]
    for ref in refs:
        await bot.services.cases.change_status(ref, "acknowledged", OFFICER)
    async with store.db.transaction() as conn:  # the first change was made long ago
        await conn.execute(
            "UPDATE report_events SET at = '2025-03-01T01:00:00+00:00'"
            " WHERE report_id = ? AND old_status IS NOT NULL",
            (refs[0],),
        )
    async with client(bot) as api:
        recent = await updates(api)
        old = await updates(
            api, start_date="2025-03-01T07:00:00+07:00", end_date="2025-03-01T08:00:00+07:00"
        )
        page = await api.get(f"{UPDATES}.json", params={"page_size": 1, "api_key": ""})
        second = await updates(api, page_size=1, page=2)
        bad = [
            await api.get(f"{UPDATES}.xml", params=params)
            for params in (
                {"start_date": "kemarin"},
                {"page_size": "5000"},
                {"start_date": "2026-02-01", "end_date": "2026-01-01"},
            )
        ]
    assert [int(u["service_request_id"]) for u in recent] == refs[1:]  # the last 90 days
    assert [int(u["service_request_id"]) for u in old] == [refs[0]]
    assert 'rel="next"' in page.headers["link"] and "api_key" not in page.headers["link"]
    assert [int(u["service_request_id"]) for u in second] == [refs[2]]
    assert [refused(answer, 400) for answer in bad]


async def test_the_update_api_takes_mysociety_shape_too(bot, store):
    ref = await seed(bot)
    key = await new_key(bot)
    url = f"/api/v1/requests/{ref}/updates"
    async with client(bot) as api:
        referral = await api.post(
            url, data={"api_key": key, "status": "INTERNAL_REFERRAL", "description": "Ke Dinas SDA"}
        )
        silent = await api.post(url, data={"api_key": key, "status": "INTERNAL_REFERRAL"})
        fixed = await api.post(
            url,
            data={
                "api_key": key,
                "status": "FIXED",
                "description": "Saluran sudah dibersihkan",
                "media_url": "https://dinas.example/after/7.jpg",
                "update_id": "88",
                "updated_datetime": "2026-12-01T10:00:00+07:00",
            },
        )
        lower = await api.post(url, data={"api_key": key, "status": "fixed"})
    assert referral.json()["detailed_status"] == "new" and referral.json()["changed"] is True
    assert "give a note" in silent.json()[0]["description"]
    assert fixed.json()["detailed_status"] == "resolved"
    assert fixed.json()["status_notes"] == (
        "Saluran sudah dibersihkan\nhttps://dinas.example/after/7.jpg"
    )
    assert lower.status_code == 400 and "FIXED" in lower.json()[0]["description"]


async def test_posting_an_update_in_mysociety_shape(bot, store):
    ref = await seed(bot)
    away = await seed(bot, "garbage", KOTA_TUA, "Sampah menumpuk di pinggir kali")
    gambir = await new_key(bot, "Kel. Gambir", [GAMBIR_CODE])
    async with client(bot) as api:

        async def post(fmt: str = "xml", **fields):
            return await api.post(f"{UPDATES}.{fmt}", data=fields)

        answer = await post(
            service_request_id=str(ref),
            status="IN_PROGRESS",
            description="Alat berat menuju lokasi",
            api_key=gambir,
        )
        again = await post("json", service_request_id=str(ref), status="OPEN", api_key=gambir)
        refusals = [
            (await post(status="OPEN", description="x", api_key=gambir), 400),
            (await post(service_request_id="99999", description="x", api_key=gambir), 404),
            (await post(service_request_id=str(ref), description="x"), 403),
            (await post(service_request_id=str(away), description="x", api_key=gambir), 403),
            (await post(service_request_id=str(ref), status="CLOSED", api_key="wl_x"), 403),
        ]
    [created] = valid(answer, "update_posted")
    events = await store.reports.events(ref)
    assert created == {"update_id": str(events[-1].id)}
    assert (events[-1].new_status, events[-1].note) == ("in_progress", "Alat berat menuju lokasi")
    assert valid(again, "update_posted") == [{"update_id": str(events[-1].id)}]  # nothing new
    for response, status in refusals:
        assert refused(response, status)
