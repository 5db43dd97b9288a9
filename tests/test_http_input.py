"""Hostile input to the agencies' API: refused with a 400 in the GeoReport v2 error shape and one
INFO line, never a 500 with a traceback; where the API key may be; where paging links point.

Requests go to the ASGI app of the running test bot (httpx's ASGI transport), which raises any
exception the app lets out, so a 500 from uvicorn would fail these tests loudly.
"""

from __future__ import annotations

import json
import logging
import sqlite3

import httpx
import pytest

from bot.domain.intake import AgencyReport, submit_agency_report
from bot.http.server import build_app
from bot.http.webhook import SECRET_HEADER, WEBHOOK_PATH
from storage.apikeys import ApiKeyRepository
from tests.helpers import MONAS
from tests.test_webhook import SECRET, hooked  # noqa: F401 (hooked: a fixture)
from tests.test_webhook import client as webhook_client

BASE = "/open311/v2"
FLOOD = "Genangan air 40 cm di depan halte, mobil mogok"
JSON = {"content-type": "application/json"}


def client(bot) -> httpx.AsyncClient:
    app = build_app(bot.services, polling=lambda: True)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test")


async def new_key(bot, name: str = "Dinas SDA") -> str:
    _, secret = await ApiKeyRepository(bot.services.store.db).create(name, None)
    return secret


async def seed(bot) -> int:
    return await submit_agency_report(bot.services, AgencyReport("Seeder", "flood", *MONAS, FLOOD))


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    [error] = response.json()
    assert error["code"] == status
    return error["description"]


def http_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("bot.http", "uvicorn"))]


def assert_one_info_line(caplog: pytest.LogCaptureFixture) -> None:
    records = http_records(caplog)
    assert [r.levelname for r in records] == ["INFO"], [r.getMessage() for r in records]
    assert records[0].exc_info is None and records[0].exc_text is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- 400, not 500 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("start_date", "0001-01-01T00:00:00+14:00"),
        ("end_date", "0001-01-01T00:00:00+14:00"),
        ("start_date", "9999-12-31T23:59:59-12:00"),
        ("end_date", "9999-12-31T23:59:59-12:00"),
        ("start_date", "0001-01-01"),  # midnight in Jakarta is still year 0 in UTC
        ("end_date", "0001-01-01T00:00:00"),
    ],
)
async def test_dates_beyond_the_calendar_are_400(bot, caplog, name, value):
    caplog.set_level(logging.INFO)
    async with client(bot) as api:
        answer = await api.get(f"{BASE}/requests.json", params={name: value})
    assert name in error_of(answer, 400) and "0001 to 9999" in error_of(answer, 400)
    assert_one_info_line(caplog)


async def test_the_far_ends_of_the_calendar_that_fit_still_work(bot):
    ref = await seed(bot)
    async with client(bot) as api:
        answer = await api.get(
            f"{BASE}/requests.json",
            params={"start_date": "0001-01-02T00:00:00+14:00", "end_date": "9999-12-30"},
        )
    assert answer.status_code == 200, answer.text
    assert [r["service_request_id"] for r in answer.json()] == [str(ref)]


async def test_json_nested_too_deeply_is_400(bot, caplog):
    caplog.set_level(logging.INFO)
    ref = await seed(bot)
    deep = b"[" * 30_000 + b"]" * 30_000  # under the 64 KB limit, far over Python's recursion
    async with client(bot) as api:
        for path in (f"{BASE}/requests.json", f"/api/v1/requests/{ref}/updates"):
            caplog.clear()
            answer = await api.post(path, content=deep, headers=JSON)
            assert "malformed JSON" in error_of(answer, 400)
            assert_one_info_line(caplog)


async def test_a_webhook_update_nested_too_deeply_is_400(hooked):  # noqa: F811
    async with webhook_client(hooked) as api:
        answer = await api.post(
            WEBHOOK_PATH,
            content=b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            headers={SECRET_HEADER: SECRET, **JSON},
        )
    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"api_key": "\ud800"}, "api_key"),
        ({"description": f"{FLOOD} \udfff"}, "description"),
        ({"address_string": "Jl. \ud83d"}, "address_string"),
        ({"\ud800": "x"}, "field name"),
    ],
)
async def test_lone_surrogates_are_400(bot, store, caplog, change, words):
    caplog.set_level(logging.INFO)
    key = await new_key(bot)
    ref = await seed(bot)
    good = {"api_key": key, "service_code": "flood", "lat": MONAS[0], "long": MONAS[1]}
    posted = json.dumps({**good, "description": FLOOD, **change})  # "\ud800", escaped
    updated = json.dumps({"api_key": key, "note": "Tim menuju lokasi", **change})
    async with client(bot) as api:
        answer = await api.post(f"{BASE}/requests.json", content=posted, headers=JSON)
        assert words in error_of(answer, 400) and "surrogate" in error_of(answer, 400)
        assert_one_info_line(caplog)
        caplog.clear()
        answer = await api.post(f"/api/v1/requests/{ref}/updates", content=updated, headers=JSON)
        assert "surrogate" in error_of(answer, 400)
        assert_one_info_line(caplog)
    assert await store.reports.get(ref + 1) is None  # nothing was filed
    assert len(await store.reports.events(ref)) == 1  # nothing was noted


async def test_an_unexpected_error_is_a_500_in_the_api_shape_logged_once(bot, caplog, monkeypatch):
    caplog.set_level(logging.INFO)

    async def broken(self, key: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ApiKeyRepository, "by_key", broken)
    async with client(bot) as api:
        answer = await api.post(f"{BASE}/requests.json", data={"api_key": "wl_x"})
    assert "internal error" in error_of(answer, 500)
    records = http_records(caplog)
    assert [r.levelname for r in records] == ["ERROR"], [r.getMessage() for r in records]
    assert records[0].exc_info is not None  # a bug of ours: with its traceback
    assert "disk I/O error" not in answer.text  # the client learns nothing of the inside


# -- where the key may be ----------------------------------------------------------------------

FIELDS = {"service_code": "flood", "lat": str(MONAS[0]), "long": str(MONAS[1])}


def keyed_posts(ref: int) -> list[tuple[str, dict[str, str]]]:
    """The two POST routes that take an API key, each with a form it would accept."""
    return [
        (f"{BASE}/requests.json", {**FIELDS, "description": FLOOD}),
        (f"/api/v1/requests/{ref}/updates", {"status": "acknowledged"}),
    ]


async def test_an_api_key_in_the_query_string_is_refused(bot, store):
    key = await new_key(bot)
    ref = await seed(bot)
    async with client(bot) as api:
        for path, data in keyed_posts(ref):
            answer = await api.post(path, params={"api_key": key}, data=data)
            description = error_of(answer, 400)
            assert "X-API-Key" in description and "URL" in description
            # Even with a good key in the body as well: the one in the URL has leaked.
            answer = await api.post(path, params={"api_key": key}, data={**data, "api_key": key})
            error_of(answer, 400)
        in_header = await api.post(
            f"/api/v1/requests/{ref}/updates",
            data={"status": "acknowledged"},
            headers={"X-API-Key": key},
        )
        assert in_header.status_code == 200, in_header.text
        in_json = await api.post(
            f"{BASE}/requests.json", json={**FIELDS, "description": FLOOD, "api_key": key}
        )
        assert in_json.status_code == 201, in_json.text
    assert (await store.reports.get(ref)).status == "acknowledged"


async def test_unknown_and_revoked_keys_get_the_same_answer(bot, store):
    revoked = await new_key(bot, "Old system")
    await ApiKeyRepository(store.db).revoke("Old system")
    ref = await seed(bot)
    async with client(bot) as api:
        # Open311 refuses a bad key with 403 (GeoReport v2), the update API with 401.
        for (path, data), status in zip(keyed_posts(ref), (403, 401), strict=True):
            answers = [
                await api.post(path, data={**data, "api_key": key})
                for key in (revoked, "wl_" + "x" * 43)
            ] + [await api.post(path, data=data, headers={"X-API-Key": revoked})]
            refusal = f'[{{"code":{status},"description":"api_key is not valid"}}]'.encode()
            assert {(a.status_code, a.content) for a in answers} == {(status, refusal)}
    assert (await store.reports.get(ref)).status == "new"


# -- paging links ------------------------------------------------------------------------------


async def three_pages_of_one(api: httpx.AsyncClient) -> str:
    answer = await api.get(
        f"{BASE}/requests.json",
        params={"page_size": 1, "status": "open"},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert answer.status_code == 200, answer.text
    return answer.headers["link"]


async def test_the_next_page_link_is_relative_whatever_the_host_header(bot):
    for _ in range(3):
        await seed(bot)
    async with client(bot) as api:
        link = await three_pages_of_one(api)
    assert "evil" not in link
    assert link.startswith(f"<{BASE}/requests.json?") and link.endswith('>; rel="next"')
    assert "page=2" in link and "page_size=1" in link and "status=open" in link


async def test_the_next_page_link_is_built_from_web_base_url(make_bot):
    running = await make_bot(WEB_BASE_URL="https://lapor.example.go.id/")
    for _ in range(3):
        await seed(running)
    async with client(running) as api:
        link = await three_pages_of_one(api)
    assert link.startswith(f"<https://lapor.example.go.id{BASE}/requests.json?"), link
    assert "evil" not in link and "page=2" in link
