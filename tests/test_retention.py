"""The retention sweep deletes what no feature reads any more, and keeps the rest: rows at old
timestamps are written straight into a real database, the sweep runs, and the survivors are
exactly the ones something still needs."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError, load_settings
from bot.domain.retention import MAX_BATCHES, Retention
from storage.outbox import OutboxKind
from storage.retention import BATCH
from storage.store import Store
from tests.conftest import TOKEN
from tests.test_inbox import start_update

NOW = datetime.now(UTC)


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat(timespec="seconds")


def settings(**env: str):
    return load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


async def outbox_row(conn, key: str, state: str, at: str, broadcast_id: int | None = None) -> None:
    await conn.execute(
        "INSERT INTO outbox (chat_id, kind, dedupe_key, not_before, state, created_at, sent_at,"
        " broadcast_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        (
            OutboxKind.BROADCAST if broadcast_id else OutboxKind.FOLLOWUP,
            key,
            at,
            state,
            at,
            at if state == "sent" else None,
            broadcast_id,
        ),
    )


async def broadcast(conn, state: str) -> int:
    cursor = await conn.execute(
        "INSERT INTO broadcasts (author_id, text, audience, state, scheduled_at, created_at)"
        " VALUES (1, 'Pengumuman', '{\"kind\": \"citizens\"}', ?, ?, ?)",
        (state, ago(days=60), ago(days=60)),
    )
    return int(cursor.lastrowid)


async def test_old_rows_go_and_what_is_still_needed_stays(tmp_path):
    store = await Store.open(tmp_path / "w.sqlite3")
    try:
        async with store.db.transaction() as conn:
            old_done = await broadcast(conn, "done")  # beyond the ten /broadcasts lists
            running = await broadcast(conn, "running")
            listed = [await broadcast(conn, "done") for _ in range(10)]
            for key, state, at, bc in [
                ("sent-old", "sent", ago(days=31), None),
                ("sent-new", "sent", ago(days=29), None),
                ("pending-old", "pending", ago(days=200), None),
                ("sending-old", "sending", ago(days=200), None),
                ("dead-40", "dead", ago(days=40), None),
                ("dead-100", "dead", ago(days=100), None),
                ("bc-finished", "sent", ago(days=50), old_done),
                ("bc-running", "sent", ago(days=50), running),
                ("bc-listed", "sent", ago(days=50), listed[-1]),
            ]:
                await outbox_row(conn, key, state, at, bc)
            for update_id, done in [(1, ago(days=31)), (2, ago(days=1)), (3, None)]:
                await conn.execute(
                    "INSERT INTO inbox (update_id, payload, received_at, done_at)"
                    " VALUES (?, '{}', ?, ?)",
                    (update_id, ago(days=40), done),
                )
            for token, expires in [("s-gone", ago(minutes=1)), ("s-live", ago(minutes=-60))]:
                await conn.execute(
                    "INSERT INTO web_sessions VALUES (?, 7, 'Budi', ?, ?)",
                    (token, ago(days=1), expires),
                )
            for token, expires in [("l-gone", ago(days=2)), ("l-late", ago(hours=1))]:
                await conn.execute(
                    "INSERT INTO web_logins (token_hash, user_id, created_at, expires_at)"
                    " VALUES (?, 7, ?, ?)",
                    (token, ago(days=3), expires),
                )
            for token, expires, used in [
                ("i-gone", ago(days=2), None),
                ("i-used", ago(days=2), ago(days=8)),
                ("i-late", ago(hours=1), None),
                ("i-open", ago(days=-6), None),
            ]:
                await conn.execute(
                    "INSERT INTO officer_invites (token_hash, scope, scope_key, created_by,"
                    " created_at, expires_at, used_by, used_at)"
                    " VALUES (?, 'kelurahan', '3173080003', 1, ?, ?, ?, ?)",
                    (token, ago(days=9), expires, 9 if used else None, used),
                )
            for query, at in [("jalan lama", ago(days=31)), ("jalan baru", ago(days=1))]:
                await conn.execute(
                    "INSERT INTO geocode_cache VALUES ('search', ?, NULL, ?)", (query, at)
                )

        deleted = await Retention(settings(), store.db).run(NOW)

        def left(sql: str) -> set[str]:
            return {row[0] for row in rows[sql]}

        rows = {
            sql: await store.db.fetchall(sql)
            for sql in [
                "SELECT dedupe_key FROM outbox",
                "SELECT update_id FROM inbox",
                "SELECT token_hash FROM web_sessions",
                "SELECT token_hash FROM web_logins",
                "SELECT token_hash FROM officer_invites",
                "SELECT query FROM geocode_cache",
            ]
        }
        assert left("SELECT dedupe_key FROM outbox") == {
            "sent-new",
            "pending-old",
            "sending-old",
            "dead-40",
            "bc-running",
            "bc-listed",
        }
        assert left("SELECT update_id FROM inbox") == {2, 3}
        assert left("SELECT token_hash FROM web_sessions") == {"s-live"}
        assert left("SELECT token_hash FROM web_logins") == {"l-late"}
        assert left("SELECT token_hash FROM officer_invites") == {"i-late", "i-open"}
        assert left("SELECT query FROM geocode_cache") == {"jalan baru"}
        assert deleted == {
            "outbox_sent": 2,
            "outbox_dead": 1,
            "inbox": 1,
            "web_sessions": 1,
            "web_logins": 1,
            "officer_invites": 2,
            "geocode_cache": 1,
        }
        # The counts /metrics shows went down with the rows.
        counted = await store.db.fetchall("SELECT state, SUM(n) FROM outbox_counts GROUP BY 1")
        assert {row[0]: row[1] for row in counted} == {
            "sent": 3,
            "pending": 1,
            "sending": 1,
            "dead": 1,
        }
        assert await Retention(settings(), store.db).run(NOW) == {}  # nothing more is due
    finally:
        await store.close()


async def test_a_big_backlog_goes_in_batches_over_several_passes(tmp_path):
    """A million-row backlog must not hold the single writer: each pass deletes at most
    MAX_BATCHES batches of BATCH rows, each its own transaction."""
    path = tmp_path / "w.sqlite3"
    store = await Store.open(path)
    await store.close()
    backlog = BATCH * MAX_BATCHES + 10
    old = ago(days=31)
    with closing(sqlite3.connect(path)) as db, db:
        db.executemany(
            "INSERT INTO outbox (chat_id, kind, not_before, state, created_at, sent_at)"
            " VALUES (?, 'followup', ?, 'sent', ?, ?)",
            ((i, old, old, old) for i in range(backlog)),
        )
    store = await Store.open(path)
    try:
        retention = Retention(settings(), store.db)
        others_wrote: list[float] = []

        async def citizen_writes() -> None:
            """A writer arriving mid-pass gets in between batches, not after the whole pass."""
            await asyncio.sleep(0.05)
            await store.inbox.receive(99, "{}")
            others_wrote.append(asyncio.get_running_loop().time())

        writer = asyncio.create_task(citizen_writes())
        first = await retention.run(NOW)
        finished = asyncio.get_running_loop().time()
        await writer
        assert first == {"outbox_sent": BATCH * MAX_BATCHES}
        assert others_wrote and others_wrote[0] < finished
        assert await retention.run(NOW) == {"outbox_sent": 10}
        [row] = await store.db.fetchall("SELECT COUNT(*) FROM outbox")
        assert row[0] == 0
    finally:
        await store.close()


async def test_the_bots_sweep_job_runs_it(make_bot, sandbox):
    bot = await make_bot(SWEEP_SECONDS="0.2")
    store = bot.services.store
    warga = sandbox.citizen()
    await store.inbox.receive(10**9, start_update(10**9, warga))
    async with store.db.transaction() as conn:
        await conn.execute(
            "UPDATE inbox SET done_at = ? WHERE update_id = ?", (ago(days=31), 10**9)
        )
    for _ in range(100):
        if not await store.db.fetchall("SELECT 1 FROM inbox WHERE update_id = ?", (10**9,)):
            break
        await asyncio.sleep(0.05)
    assert not await store.db.fetchall("SELECT 1 FROM inbox WHERE update_id = ?", (10**9,))


def test_retention_settings():
    assert (settings().retention_days, settings().retention_dead_days) == (30.0, 90.0)
    chosen = settings(RETENTION_DAYS="7", RETENTION_DEAD_DAYS="14")
    assert (chosen.retention_days, chosen.retention_dead_days) == (7.0, 14.0)
    for env, words in [
        ({"RETENTION_DAYS": "1"}, "RETENTION_DAYS=1 is too short"),
        ({"RETENTION_DAYS": "x"}, "RETENTION_DAYS='x' is not a number"),
        ({"RETENTION_DAYS": "30", "RETENTION_DEAD_DAYS": "10"}, "RETENTION_DEAD_DAYS=10 is"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN must be 16-256"),
    ]:
        with pytest.raises(ConfigError, match=words):
            settings(**env)
