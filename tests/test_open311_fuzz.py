"""Hostile and malformed input to every Open311 route, in both formats: never a 500, always an
answer in the specification's shape (a success, or ``<errors>`` / ``[{"code", "description"}]``
with a 4xx), and the API still answering afterwards. Seeded, so a failure repeats."""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from urllib.parse import quote

from defusedxml import ElementTree

from tests.open311_spec import refused
from tests.test_open311 import BASE, client, new_key, seed

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "nan",
    "9" * 40,
    "²³",
    "١٢٣",
    "1001,",
    ",,,",
    "1001," * 1500,
    "open,closed,open",
    "OPEN",
    "flood,flood,volcano",
    "2026-13-45T99:99:99Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "2026-12-01T08:00:00 07:00",
    "x" * 5000,
    "<errors><error/></errors>",
    "]]><![CDATA[",
    "'; DROP TABLE reports; --",
    "\u202eflood",
    "\ufeff",
    "\U0001f30a" * 300,
    "\x00\x01\x1b",
    "%00",
    "attribute[",
    "a&b=c",
]
FIELDS = [
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "email",
    "phone",
    "first_name",
    "media_url",
    "jurisdiction_id",
    "status",
    "service_request_id",
    "note",
    "duplicate_of",
    "attribute[water_depth_cm]",
    "attribute[road_passable]",
    "attribute[waste_kind][]",
    "attribute[damage_size]",
    "attribute[]",
    "attribute[[x]]",
    "attribute[a][b][]",
    "attribute[" + "c" * 200 + "]",
]
PARAMS = [
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "page",
    "page_size",
    "jurisdiction_id",
]


def form(rng: random.Random, key: str) -> bytes:
    pairs = [("api_key", key)] if rng.random() < 0.8 else []
    pairs += [(rng.choice(FIELDS), rng.choice(NASTY)) for _ in range(rng.randint(0, 12))]
    if rng.random() < 0.15:  # sometimes a request that may pass (each files a report and alerts)
        pairs += [("service_code", rng.choice(["flood", "garbage", "road_damage"]))]
        pairs += [("lat", "-6.1754"), ("long", "106.8272")]
    if rng.random() < 0.1:
        pairs += [("attribute[x]", "y")] * rng.randint(40, 260)
    return "&".join(f"{quote(name)}={quote(value)}" for name, value in pairs).encode()


SEEN: Counter[int] = Counter()


def check(answer, what: str) -> None:
    SEEN[answer.status_code] += 1
    assert answer.status_code < 500, (what, answer.status_code, answer.text[:300])
    kind = answer.headers.get("content-type", "")
    if kind.startswith("image/"):
        return
    if answer.status_code >= 400:
        assert refused(answer, answer.status_code), what
    elif kind.startswith("text/xml"):
        ElementTree.fromstring(answer.content)  # well-formed
    else:
        assert kind.startswith("application/json"), (what, kind)
        json.loads(answer.content.decode("utf-8"))


async def test_nothing_a_client_sends_makes_a_500(bot, caplog):
    caplog.set_level(logging.INFO)
    rng = random.Random(16)
    key = await new_key(bot)
    ref = await seed(bot)
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    async with client(bot) as api:
        for _ in range(100):
            fmt = rng.choice(["xml", "json"])
            params = {rng.choice(PARAMS): rng.choice(NASTY) for _ in range(rng.randint(1, 4))}
            for path in (
                f"{BASE}/requests.{fmt}",
                f"{BASE}/servicerequestupdates.{fmt}",
                f"{BASE}/services.{fmt}",
                f"{BASE}/requests/{quote(rng.choice(NASTY), safe='')}.{fmt}",
                f"{BASE}/services/{quote(rng.choice(NASTY), safe='')}.{fmt}",
                f"{BASE}/media/{quote(rng.choice(NASTY), safe='')}.jpg",
            ):
                check(await api.get(path, params=params), f"GET {path} {params}")
            for path in (
                f"{BASE}/requests.{fmt}",
                f"{BASE}/servicerequestupdates.{fmt}",
                f"/api/v1/requests/{ref}/updates",
            ):
                answer = await api.post(path, content=form(rng, key), headers=form_type)
                check(answer, f"POST {path}")
        json_bodies = [
            b'{"attribute[waste_kind][]": [["nested"]]}',
            b'{"attribute[waste_kind][]": [true]}',
            b'{"service_code": {"a": 1}}',
            b'{"lat": 1e999}',
            b"[" * 5000 + b"]" * 5000,
            b'{"x": "' + b"\\ud800" + b'"}',
        ]
        for body in json_bodies:
            for fmt in ("xml", "json"):
                answer = await api.post(
                    f"{BASE}/requests.{fmt}",
                    content=body,
                    headers={"content-type": "application/json", "X-API-Key": key},
                )
                check(answer, f"POST JSON {body[:40]!r}")
        still = await api.get(f"{BASE}/requests/{ref}.xml")
    assert still.status_code == 200
    assert SEEN[201] and SEEN[200] and SEEN[400] and SEEN[404] and SEEN[403], SEEN
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR
    ]
