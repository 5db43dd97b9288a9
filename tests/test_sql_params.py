"""Parameterised SQL, kept sound: text shaped like SQL is data everywhere it enters.

A reviewer found every query parameterised; this keeps it so. Each input below would change a
query built by string formatting (a quote closing a literal, a comment ending it, a second
statement): through the API filters it must be refused or match nothing, and through a report's
description it must come back verbatim, with every table still there.
"""

from __future__ import annotations

from tests.helpers import file_report
from tests.test_open311 import BASE, assert_error, client, new_key

ATTACKS = [
    "flood' OR '1'='1",
    "flood'; DROP TABLE reports; --",
    '" OR ""="',
    "1 UNION SELECT token_hash FROM web_sessions --",
]


async def test_sql_shaped_filters_match_nothing_and_break_nothing(sandbox, bot, store):
    ref = await file_report(sandbox.citizen())
    async with client(bot) as api:
        for attack in ATTACKS:
            assert_error(
                await api.get(f"{BASE}/requests.json", params={"service_code": attack}), 400
            )
            assert_error(await api.get(f"{BASE}/requests.json", params={"status": attack}), 400)
            by_id = await api.get(f"{BASE}/requests.json", params={"service_request_id": attack})
            assert by_id.status_code == 400, by_id.text
        everything = (await api.get(f"{BASE}/requests.json")).json()
    assert [r["service_request_id"] for r in everything] == [str(ref)]


async def test_sql_shaped_text_is_stored_verbatim(sandbox, bot, store):
    key = await new_key(bot)
    async with client(bot) as api:
        for attack in ATTACKS:
            description = f"Banjir di depan sekolah: {attack}"
            created = await api.post(
                f"{BASE}/requests.json",
                data={
                    "api_key": key,
                    "service_code": "flood",
                    "lat": "-6.1754",
                    "long": "106.8272",
                    "description": description,
                },
            )
            assert created.status_code == 201, created.text
            ref = int(created.json()[0]["service_request_id"])
            # PostgreSQL's text holds no NUL: it is kept as U+FFFD there (storage/postgres.py).
            kept = (
                description.replace("\x00", "\ufffd") if bot.settings.database_url else description
            )
            assert (await store.reports.get(ref)).description == kept
    tables = set(await store.db.table_names())
    assert {"reports", "web_sessions", "citizens", "outbox"} <= tables
