"""Agencies over HTTP: Open311 GeoReport v2, the update endpoint, API keys, health and metrics.

Requests go to the ASGI app built from the running test bot's services (httpx's ASGI transport,
no socket), so a report filed over the API is alerted in a sandbox group and an update reaches
the citizen at the sandbox, as in production. One test checks the real socket.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta

import httpx
import pytest

from bot.cli.apikey import area_codes
from bot.cli.usage import UsageError
from bot.config import ConfigError, load_settings
from bot.domain.cases import Actor, anywhere
from bot.domain.intake import AgencyReport, submit_agency_report
from bot.geo.areas import AreaIndex
from bot.geo.directory import AreaDirectory
from bot.http.server import build_app
from storage.agency import AGENCY_CITIZEN_ID
from storage.apikeys import ApiKeyRepository
from storage.monitoring import MonitoringRepository
from tests.conftest import TOKEN
from tests.helpers import BANDUNG, KOTA_TUA, MONAS, file_report, map_link, osm
from tests.open311_spec import REQUEST_FIELDS
from tests.test_cli import run_cli
from tests.test_groups import GAMBIR, linked_group, next_alert

BASE = "/open311/v2"
GAMBIR_CODE = "3173080003"
PINANGSIA_CODE = "3174060008"
FLOOD = "Genangan air 40 cm di depan halte, mobil mogok"


def client(bot) -> httpx.AsyncClient:
    app = build_app(bot.services, polling=lambda: True)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test")


async def new_key(bot, name="Dinas SDA", areas=None) -> str:
    _, secret = await ApiKeyRepository(bot.services.store.db).create(name, areas)
    return secret


def assert_error(response, status: int, words: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["code"] == status and isinstance(body[0]["description"], str)
    assert words in body[0]["description"], body[0]["description"]


async def seed(bot, category="flood", where=MONAS, description=FLOOD) -> int:
    return await submit_agency_report(
        bot.services, AgencyReport("Seeder", category, *where, description)
    )


async def test_services_are_the_categories(bot):
    async with client(bot) as api:
        services = (await api.get(f"{BASE}/services.json")).json()
        flood = (await api.get(f"{BASE}/services/flood.json")).json()
        tree = (await api.get(f"{BASE}/services/fallen_tree.json")).json()
        missing = await api.get(f"{BASE}/services/volcano.json")
    assert [s["service_code"] for s in services][:3] == ["flood", "garbage", "road_damage"]
    assert len(services) == len(bot.services.categories)
    first = services[0]
    assert set(first) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    # Flood has extra questions (bot/data/categories.toml), so its metadata is true; a service
    # without any has an empty definition.
    assert first["service_name"] == "Banjir" and first["metadata"] is True
    assert first["type"] == "realtime" and "flood" in first["keywords"]
    assert first["group"] == "Air & saluran"
    assert flood["service_code"] == "flood"
    assert [a["code"] for a in flood["attributes"]] == [
        "water_depth_cm",
        "road_passable",
        "flooded_since",
    ]
    assert tree == {"service_code": "fallen_tree", "attributes": []}
    assert services[4]["service_code"] == "fallen_tree" and services[4]["metadata"] is False
    assert_error(missing, 404, "service_code")


async def test_a_posted_request_is_routed_alerted_and_readable(sandbox, bot, store, admin):
    gambir = await linked_group(sandbox, store, admin, GAMBIR)
    key = await new_key(bot, "Dinas SDA DKI")
    async with client(bot) as api:
        created = await api.post(
            f"{BASE}/requests.json",
            data={
                "api_key": key,
                "service_code": "flood",
                "lat": str(MONAS[0]),
                "long": str(MONAS[1]),
                "description": f"  {FLOOD}, hubungi 0812-3456-7890  ",
                "address_string": "Jl. Medan Merdeka Barat",
                "media_url": "https://example.org/flood.jpg",
            },
        )
        assert created.status_code == 201, created.text
        [answer] = created.json()
        ref = int(answer["service_request_id"])
        assert answer["service_notice"] == "Acknowledged within 6 hours"
        card = await next_alert(gambir)  # no photos: a text card with the map link
        assert card.kind == "text" and map_link(card) == osm(*MONAS)
        assert f"Laporan #{ref}" in card.plain_text and FLOOD in card.plain_text
        assert "Jl. Medan Merdeka Barat" in card.plain_text
        assert card.buttons[0] == "👀 Terima"
        [request] = (await api.get(f"{BASE}/requests/{ref}.json")).json()
        as_json = await api.post(
            f"{BASE}/requests.json",
            json={
                "api_key": key,
                "service_code": "garbage",
                "lat": KOTA_TUA[0],
                "long": KOTA_TUA[1],
                "description": "Tumpukan sampah di pinggir kali",
            },
        )
    assert set(request) == set(REQUEST_FIELDS)
    assert request["service_request_id"] == str(ref) and request["status"] == "open"
    assert request["service_code"] == "flood" and request["service_name"] == "Banjir"
    assert request["description"] == f"{FLOOD}, hubungi [phone]"
    assert request["agency_responsible"] == "Kel. Gambir, Kec. Gambir, Jakarta Pusat"
    assert request["address"] == "Jl. Medan Merdeka Barat"
    assert (request["lat"], request["long"]) == (-6.175, 106.827)  # rounded: no key sent
    assert request["media_url"] == "https://example.org/flood.jpg"  # the agency's own link
    assert request["status_notes"] is None
    requested = datetime.fromisoformat(request["requested_datetime"])
    assert requested.utcoffset() == timedelta(hours=7)  # Asia/Jakarta
    expected = datetime.fromisoformat(request["expected_datetime"])
    assert expected - requested == timedelta(hours=6)  # the flood SLA
    # The agency filed it: no Telegram follower, named in the history, the citizen nowhere.
    assert await store.reports.followers(ref) == []
    [event] = await store.reports.events(ref)
    assert (event.actor_kind, event.actor_name, event.actor_id) == ("agency", "Dinas SDA DKI", None)
    assert str(AGENCY_CITIZEN_ID) not in {str(v) for v in request.values()}
    assert as_json.status_code == 201
    other = await store.reports.get(int(as_json.json()[0]["service_request_id"]))
    assert other.area_code == PINANGSIA_CODE and other.category_key == "garbage"
    await gambir.expect_no_message(within=0.3)  # Kota Tua is not Gambir's


async def test_an_update_reaches_the_citizen(sandbox, bot, store):
    warga = sandbox.citizen()
    ref = await file_report(warga, photos=0)
    key = await new_key(bot, "Kelurahan Gambir", [GAMBIR_CODE])
    url = f"/api/v1/requests/{ref}/updates"
    async with client(bot) as api:
        acknowledged = await api.post(
            url, data={"api_key": key, "status": "acknowledged", "note": "Tim menuju lokasi"}
        )
        assert acknowledged.status_code == 200, acknowledged.text
        assert acknowledged.json() == {
            "service_request_id": str(ref),
            "status": "open",
            "detailed_status": "acknowledged",
            "status_notes": "Tim menuju lokasi",
            "updated_datetime": acknowledged.json()["updated_datetime"],
            "changed": True,
        }
        followup = await warga.next_message()
        assert f"Laporan #{ref}" in followup.plain_text and "sudah diterima" in followup.plain_text
        assert "Tim menuju lokasi" in followup.plain_text
        # A photo link without a status is a note; the citizen reads the link.
        photo = await api.post(
            url, json={"api_key": key, "photo_url": "https://dinas.example/after/1.jpg"}
        )
        assert photo.status_code == 200 and photo.json()["detailed_status"] == "acknowledged"
        assert "https://dinas.example/after/1.jpg" in (await warga.next_message()).plain_text
        # Open311 "closed" resolves an open case; repeating it changes nothing.
        closed = await api.post(url, data={"api_key": key, "status": "closed"})
        assert (
            closed.json()["status"] == "closed" and closed.json()["detailed_status"] == "resolved"
        )
        assert "sudah diselesaikan" in (await warga.next_message()).plain_text
        again = await api.post(url, data={"api_key": key, "status": "resolved"})
        assert again.status_code == 200 and again.json()["changed"] is False
        not_allowed = await api.post(url, data={"api_key": key, "status": "in_progress"})
        assert_error(not_allowed, 409, "it can become: closed, reopened")
        reopened = await api.post(url, data={"api_key": key, "status": "open", "note": "Belum"})
        assert reopened.json()["detailed_status"] == "reopened"
        [request] = (await api.get(f"{BASE}/requests/{ref}.json")).json()
    assert request["status"] == "open" and request["status_notes"] == "Belum"
    events = await store.reports.events(ref)
    assert [e.actor_name for e in events[1:]] == ["Kelurahan Gambir"] * 4


async def test_filters_paging_and_status_mapping(bot, store):
    cases = bot.services.cases
    officer = Actor("officer", 1, "Budi")
    flood = [await seed(bot) for _ in range(3)]
    garbage = await seed(bot, "garbage", KOTA_TUA, "Sampah menumpuk di trotoar")
    outside = await seed(bot, "flood", BANDUNG, "Banjir di luar Jakarta, mohon diteruskan")
    await cases.change_status(flood[0], "rejected", officer, note="Bukan wewenang kelurahan")
    await cases.change_status(flood[1], "resolved", officer)
    await cases.change_status(
        garbage, "duplicate", officer, duplicate_of=flood[2], may_touch_original=anywhere
    )
    async with store.db.transaction() as conn:  # one report filed long ago
        await conn.execute(
            "UPDATE reports SET created_at = '2025-01-15T03:00:00+00:00' WHERE id = ?",
            (flood[2],),
        )

    async def ids(**params) -> list[int]:
        response = await api.get(f"{BASE}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [int(r["service_request_id"]) for r in response.json()]

    everything = [outside, garbage, flood[2], flood[1], flood[0]]
    since = "2025-01-01"  # without dates, the specification's last 90 days leave out flood[2]
    async with client(bot) as api:
        assert await ids() == [outside, garbage, flood[1], flood[0]]  # newest first
        assert await ids(start_date=since) == everything
        assert await ids(status="open", start_date=since) == [outside, flood[2]]
        assert await ids(status="closed") == [garbage, flood[1], flood[0]]
        assert await ids(status="open,closed", start_date=since) == everything
        assert await ids(service_code="garbage") == [garbage]
        assert await ids(service_code="garbage,flood") == [outside, garbage, flood[1], flood[0]]
        assert await ids(service_request_id=f"{flood[0]},{garbage}", status="open") == [
            garbage,
            flood[0],
        ]
        assert await ids(start_date="2025-01-15", end_date="2025-01-15") == [flood[2]]
        assert await ids(end_date="2025-01-15T10:00:00+07:00") == [flood[2]]
        assert await ids(end_date="2025-01-15T09:59:59+07:00") == []
        assert flood[2] not in await ids(start_date="2025-02-01T00:00:00Z")
        first = await api.get(f"{BASE}/requests.json", params={"page_size": 2, "start_date": since})
        assert 'rel="next"' in first.headers["link"] and "page=2" in first.headers["link"]
        assert await ids(page_size=2, page=2, start_date=since) == everything[2:4]
        last = await api.get(
            f"{BASE}/requests.json", params={"page_size": 2, "page": 3, "start_date": since}
        )
        assert [int(r["service_request_id"]) for r in last.json()] == [flood[0]]
        assert "link" not in last.headers
        assert await ids(page=9) == []
        listed = await api.get(f"{BASE}/requests.json", params={"start_date": since})
        by_id = {r["service_request_id"]: r for r in listed.json()}
        for bad, words in [
            ({"page_size": "1001"}, "page_size"),
            ({"page_size": "0"}, "page_size"),
            ({"page": "-1"}, "page"),
            ({"status": "pending"}, "status"),
            ({"service_code": "volcano"}, "service_code"),
            ({"start_date": "yesterday"}, "start_date"),
            ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "after end_date"),
            ({"service_request_id": "12,abc"}, "service_request_id"),
            ({"service_request_id": "12,²"}, "service_request_id"),  # a digit int() refuses
            ({"page": "²"}, "page"),
        ]:
            assert_error(await api.get(f"{BASE}/requests.json", params=bad), 400, words)
        assert_error(await api.get(f"{BASE}/requests/99999.json"), 404)
        assert_error(await api.get(f"{BASE}/requests/abc.json"), 404)
        assert_error(await api.get(f"{BASE}/requests/²³.json"), 404)
        assert_error(await api.get(f"{BASE}/requests/{'9' * 30}.json"), 404)
    rejected = by_id[str(flood[0])]
    assert rejected["status"] == "closed"
    assert rejected["status_notes"] == "Bukan wewenang kelurahan"
    assert by_id[str(garbage)]["status_notes"] == f"Duplicate of request {flood[2]}"
    assert by_id[str(outside)]["agency_responsible"] is None
    assert by_id[str(flood[1])]["status"] == "closed"  # resolved


async def test_keys_missing_wrong_revoked_or_out_of_scope(bot, store):
    gambir_key = await new_key(bot, "Kelurahan Gambir", [GAMBIR_CODE])
    pinangsia_key = await new_key(bot, "Kelurahan Pinangsia", [PINANGSIA_CODE])
    revoked = await new_key(bot, "Old system")
    await ApiKeyRepository(store.db).revoke("Old system")
    in_gambir = await seed(bot)
    outside = await seed(bot, "flood", BANDUNG, "Banjir di luar Jakarta, mohon diteruskan")
    fields = {
        "service_code": "flood",
        "lat": str(MONAS[0]),
        "long": str(MONAS[1]),
        "description": FLOOD,
    }
    post = f"{BASE}/requests.json"
    update = f"/api/v1/requests/{in_gambir}/updates"
    async with client(bot) as api:
        # Open311 answers a missing or bad key with 403 (GeoReport v2); the update API with 401.
        assert_error(await api.post(post, data=fields), 403, "api_key is required")
        assert_error(await api.post(post, data={**fields, "api_key": "wl_nope"}), 403, "not valid")
        assert_error(await api.post(post, data={**fields, "api_key": revoked}), 403, "not valid")
        assert_error(await api.post(post, data={**fields, "api_key": pinangsia_key}), 403)
        assert_error(await api.post(update, data={"status": "acknowledged"}), 401)
        wrong = await api.post(update, data={"status": "acknowledged"}, headers={"X-API-Key": "x"})
        assert_error(wrong, 401)
        assert_error(await api.post(update, data={"api_key": revoked, "note": "Halo"}), 401)
        assert_error(
            await api.post(update, data={"api_key": pinangsia_key, "status": "acknowledged"}),
            403,
            "outside its areas",
        )
        assert_error(
            await api.post(
                f"/api/v1/requests/{outside}/updates",
                data={"api_key": gambir_key, "status": "acknowledged"},
            ),
            403,
        )
        assert_error(
            await api.post(
                "/api/v1/requests/99999/updates", data={"api_key": gambir_key, "note": "Halo"}
            ),
            404,
        )
        assert_error(
            await api.post("/api/v1/requests/²/updates", data={"api_key": gambir_key, "note": "x"}),
            404,
        )
        in_header = await api.post(
            update, data={"status": "acknowledged"}, headers={"X-API-Key": gambir_key}
        )
        assert in_header.status_code == 200
        assert in_header.json()["detailed_status"] == "acknowledged"
        created = await api.post(post, data={**fields, "api_key": gambir_key})
        assert created.status_code == 201
    assert (await store.reports.get(in_gambir)).status == "acknowledged"


async def test_bad_input_gets_400_and_a_json_error(bot):
    key = await new_key(bot)
    ref = await seed(bot)
    good = {
        "api_key": key,
        "service_code": "flood",
        "lat": str(MONAS[0]),
        "long": str(MONAS[1]),
        "description": FLOOD,
    }
    post = f"{BASE}/requests.json"
    update = f"/api/v1/requests/{ref}/updates"
    async with client(bot) as api:
        for change, status, words in [
            ({"lat": "north"}, 400, "lat"),
            ({"lat": "123.5"}, 400, "lat"),
            ({"long": "-181"}, 400, "long"),
            ({"long": "nan"}, 400, "long"),
            ({"lat": ""}, 400, "lat is required"),
            ({"service_code": "volcano"}, 400, "service_code"),
            ({"service_code": ""}, 400, "service_code is required"),
            ({"description": "x" * 10_000}, 400, "got 10000"),
            ({"description": "x" * 4001}, 400, "at most 4000"),
            ({"address_string": "Jl. " * 100}, 400, "address_string"),
        ]:
            assert_error(await api.post(post, data={**good, **change}), status, words)
        headers = {"content-type": "application/json"}
        assert_error(
            await api.post(post, content=b'{"api_key": "x", "lat": ', headers=headers),
            400,
            "malformed JSON",
        )
        assert_error(
            await api.post(post, content=json.dumps([good]), headers=headers), 400, "object"
        )
        assert_error(
            await api.post(post, json={**good, "lat": {"deg": 6}}), 400, "text or a number"
        )
        assert_error(
            await api.post(post, files={"photo": b"x"}, data=good), 415, "x-www-form-urlencoded"
        )
        assert_error(await api.post(post, content=b"x" * 70_000), 413)
        for change, status, words in [
            ({"status": "fixed"}, 400, "not known"),
            ({}, 400, "nothing to update"),
            ({"status": "rejected"}, 400, "needs a note"),
            ({"status": "duplicate"}, 400, "duplicate_of"),
            ({"status": "duplicate", "duplicate_of": str(ref)}, 400, "another"),
            ({"status": "acknowledged", "duplicate_of": "5"}, 400, "duplicate_of"),
            ({"photo_url": "javascript:alert(1)"}, 400, "photo_url"),
            ({"note": "n" * 701}, 400, "at most 700"),
        ]:
            assert_error(await api.post(update, data={"api_key": key, **change}), status, words)
        assert_error(await api.get(f"{BASE}/requests.yaml"), 404, ".xml or .json")
        assert_error(await api.delete(f"{BASE}/requests.json"), 405)
    assert (await bot.services.store.reports.get(ref)).status == "new"


async def test_health_and_metrics(bot, store, monkeypatch):
    ref = await seed(bot)
    await bot.services.cases.change_status(ref, "acknowledged", Actor("agency", None, "Dinas"))
    async with client(bot) as api:
        health = await api.get("/healthz")
        metrics = await api.get("/metrics")
        monkeypatch.setattr(MonitoringRepository, "ping", _broken)
        sick = await api.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["polling"] is True
    assert set(body["outbox"]) == {"backlog", "oldest_age_seconds"}
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.text
    assert 'wargalapor_reports{status="acknowledged"} 1' in text
    assert 'wargalapor_reports{status="new"} 0' in text
    assert "# TYPE wargalapor_outbox_pending gauge" in text
    assert "wargalapor_outbox_oldest_pending_age_seconds " in text
    assert 'wargalapor_outbox_rows{state="' in text and 'kind="alert_card"' in text
    assert sick.status_code == 503 and sick.json()["status"] == "unhealthy"


async def _broken(self) -> None:
    raise OSError("disk I/O error")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_server_listens_when_http_port_is_set(make_bot):
    port = free_port()
    running = await make_bot(HTTP_PORT=str(port))
    async with httpx.AsyncClient() as http:
        health = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200 and health.json()["database"] == "ok"
        services = await http.get(f"http://127.0.0.1:{port}{BASE}/services.json")
        assert services.status_code == 200
        await running.stop()
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/healthz")


def test_http_settings():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", None)
    chosen = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "HTTP_HOST": "0.0.0.0", "HTTP_PORT": "8080"}
    )
    assert (chosen.http_host, chosen.http_port) == ("0.0.0.0", 8080)
    for env, variable in [
        ({"HTTP_PORT": "http"}, "HTTP_PORT"),
        ({"HTTP_PORT": "70000"}, "HTTP_PORT"),
        ({"HTTP_PORT": "0"}, "HTTP_PORT"),
        ({"HTTP_HOST": "local host"}, "HTTP_HOST"),
    ]:
        with pytest.raises(ConfigError) as error:
            load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})
        assert str(error.value).startswith(variable)


def test_key_scopes_from_names():
    directory = AreaDirectory(AreaIndex.load())
    assert area_codes(directory, f"{GAMBIR_CODE}, kel. Pinangsia") == sorted(
        [GAMBIR_CODE, PINANGSIA_CODE]
    )
    assert len(area_codes(directory, "kec. Gambir")) == 6
    with pytest.raises(UsageError, match="ambiguous"):
        area_codes(directory, "Gambir")


def test_apikey_commands(tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    created = run_cli(
        "apikey", "create", "--name", "Dinas SDA", "--areas", "kec. Gambir", env=env, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.splitlines()[1]
    assert secret.startswith("wl_") and "scope: 3173080001" in created.stdout
    again = run_cli("apikey", "create", "--name", "Dinas SDA", env=env, cwd=tmp_path)
    assert again.returncode == 2 and "already named" in again.stderr
    revoked = run_cli("apikey", "revoke", "Dinas SDA", env=env, cwd=tmp_path)
    assert revoked.returncode == 0
    listed = run_cli("apikey", "list", env=env, cwd=tmp_path)
    assert "Dinas SDA" in listed.stdout and "revoked" in listed.stdout
    assert secret not in listed.stdout + (tmp_path / "db.sqlite3").read_bytes().decode("latin-1")
