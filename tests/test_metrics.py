"""``/metrics`` and ``/healthz`` under scrapers: one snapshot per interval however many scrape,
counts kept by triggers that agree with the tables, and an optional bearer token."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import httpx
from starlette.applications import Starlette

from bot.config import load_settings
from bot.domain.cases import Actor
from bot.domain.intake import AgencyReport, submit_agency_report
from bot.http.health import HealthApi
from bot.http.metrics import SNAPSHOT_SECONDS
from bot.http.server import build_app
from tests.conftest import TOKEN as BOT_TOKEN
from tests.helpers import MONAS

TOKEN = "metrics-token-0123456789abcdef"


def reports(text: str, status: str) -> int:
    match = re.search(rf'^wargalapor_reports{{status="{status}"}} (\d+)$', text, re.M)
    assert match, text
    return int(match.group(1))


async def seed(bot) -> int:
    report = AgencyReport("Seeder", "flood", *MONAS, "Genangan air 40 cm di depan halte")
    return await submit_agency_report(bot.services, report)


async def test_scrapes_within_the_interval_share_one_snapshot(bot):
    health = HealthApi(bot.services, polling=lambda: True)
    app = Starlette(routes=health.routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ops.test") as ops:
        first = await ops.get("/metrics")
        assert reports(first.text, "new") == 0
        await seed(bot)
        # Many scrapers at once, and again and again: nobody reads the database.
        scrapes = await asyncio.gather(*(ops.get(p) for p in ["/metrics", "/healthz"] * 10))
        assert all(s.status_code == 200 for s in scrapes)
        assert all(reports(s.text, "new") == 0 for s in scrapes if s.url.path == "/metrics")
        assert health.snapshot.refreshes == 1
        bot.services.clock.advance(timedelta(seconds=SNAPSHOT_SECONDS + 0.5))
        # Past the interval: twenty concurrent scrapes, one refresh, and the report is counted.
        scrapes = await asyncio.gather(*(ops.get("/metrics") for _ in range(20)))
        assert {reports(s.text, "new") for s in scrapes} == {1}
        assert health.snapshot.refreshes == 2
        body = (await ops.get("/healthz")).json()
    assert body["outbox"]["backlog"] >= 1  # the report's alert, not delivered yet or just sent
    text = scrapes[0].text
    assert re.search(r"^wargalapor_processes 1$", text, re.M), text  # the bot under test
    assert re.search(r"^wargalapor_inbox_waiting \d+$", text, re.M), text


async def test_updates_waiting_in_the_inbox_are_counted_with_their_age(bot, store):
    """An update nobody could handle yet (the processes are busy or gone) shows, and ages."""
    health = HealthApi(bot.services, polling=lambda: True)
    app = Starlette(routes=health.routes())
    async with store.db.transaction() as conn:  # held by this live process, not done
        await conn.execute(
            "INSERT INTO inbox (update_id, payload, received_at, chat_key, claimed_by)"
            " VALUES (999999, '{}', '2026-01-01T00:00:00+00:00', 5, ?)",
            (bot.services.worker.worker_id,),
        )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ops.test") as ops:
        text = (await ops.get("/metrics")).text
    assert re.search(r"^wargalapor_inbox_waiting 1$", text, re.M), text
    age = re.search(r"^wargalapor_inbox_oldest_waiting_age_seconds ([\d.]+)$", text, re.M)
    assert age and float(age.group(1)) > 3600, text


async def test_counts_follow_every_change(bot, store):
    """The trigger-kept counts equal a GROUP BY over the tables after inserts and changes."""
    first, second = await seed(bot), await seed(bot)
    await bot.services.cases.change_status(first, "acknowledged", Actor("agency", None, "Dinas"))
    await bot.services.cases.change_status(second, "in_progress", Actor("agency", None, "Dinas"))
    # Every row delivered first: a row the pump is sending would be marked sent over our "dead".
    for _ in range(100):
        row = await store.db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')"
        )
        if row[0] == 0:
            break
        await asyncio.sleep(0.1)
    async with store.db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET state = 'dead' WHERE id = (SELECT MIN(id) FROM outbox)"
        )
        await conn.execute("DELETE FROM outbox WHERE id = (SELECT MAX(id) FROM outbox)")
    # One read snapshot, so the bot delivering meanwhile cannot skew the compare.
    async with store.db.snapshot() as db:

        async def rows(sql: str) -> list[tuple]:
            cursor = await db.execute(sql)
            return [tuple(row) for row in await cursor.fetchall()]

        counted = dict(await rows("SELECT status, n FROM report_counts WHERE n != 0"))
        by_status = dict(await rows("SELECT status, COUNT(*) FROM reports GROUP BY 1"))
        kept = await rows("SELECT state, kind, n FROM outbox_counts WHERE n != 0 ORDER BY 1, 2")
        expected = await rows(
            "SELECT state, kind, COUNT(*) FROM outbox GROUP BY state, kind ORDER BY 1, 2"
        )
    assert counted == by_status == {"acknowledged": 1, "in_progress": 1}
    assert kept == expected and any(state == "dead" for state, _kind, _n in expected)


async def test_metrics_token_is_required_when_set(make_bot, caplog):
    bot = await make_bot(METRICS_TOKEN=TOKEN)
    app = build_app(bot.services, polling=lambda: True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ops.test") as ops:
        missing = await ops.get("/metrics")
        wrong = await ops.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})
        basic = await ops.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        right = await ops.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        health = await ops.get("/healthz")  # the load balancer's check needs no token
    for refused in (missing, wrong, basic):
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        [error] = refused.json()
        assert error["code"] == 401 and "Bearer" in error["description"]
        assert TOKEN not in refused.text
    assert right.status_code == 200 and "wargalapor_reports" in right.text
    assert health.status_code == 200
    assert TOKEN not in caplog.text


async def test_without_a_token_metrics_stay_open(bot):
    app = build_app(bot.services, polling=lambda: True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ops.test") as ops:
        assert (await ops.get("/metrics")).status_code == 200


def test_the_token_stays_out_of_the_settings_repr():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": BOT_TOKEN, "METRICS_TOKEN": TOKEN})
    assert settings.metrics_token == TOKEN and TOKEN not in repr(settings)
