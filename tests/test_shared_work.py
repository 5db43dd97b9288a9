"""The rules several processes share work by, on the real database (storage/workers.py,
storage/inbox.py ``claim``, storage/outbox.py ``due``/``claim``/``recover``).

Two workers here are two ids on one database, as two processes would be; tests/
test_several_processes.py runs the real thing (three ``python -m bot`` processes, two killed).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import pytest

from storage.outbox import OutboxKind, OutboxMessage
from storage.store import Store
from storage.workers import GONE_AFTER_SECONDS, Share, this_machine


@pytest.fixture
async def store(engine, tmp_path):
    opened = await Store.open(engine or tmp_path / "w.sqlite3")
    yield opened
    await opened.close()


def now() -> datetime:
    return datetime.now(UTC)


async def test_a_chat_updates_go_one_at_a_time_whoever_takes_them(store):
    inbox = store.inbox
    await store.workers.register("x", now())
    await store.workers.register("y", now())
    await inbox.receive(1, "{}", chat_key=100)
    await inbox.receive(2, "{}", chat_key=100)
    await inbox.receive(3, "{}", chat_key=200)

    taken_x = await inbox.claim("x", now(), limit=10)
    assert [u.update_id for u in taken_x] == [1, 3]  # chat 100's second waits for its first
    assert await inbox.claim("y", now(), limit=10) == []  # nothing free: 2 waits behind 1
    await inbox.done(1)
    taken_y = await inbox.claim("y", now(), limit=10)
    assert [(u.update_id, u.attempts) for u in taken_y] == [(2, 1)]


async def test_a_gone_workers_updates_are_taken_over_and_counted(store):
    inbox = store.inbox
    long_ago = now() - timedelta(seconds=GONE_AFTER_SECONDS + 5)
    await store.workers.register("dead", long_ago)  # its heartbeat stopped
    await store.workers.register("alive", now())
    await inbox.receive(7, "{}", chat_key=100)
    await inbox.receive(8, "{}", chat_key=100)
    [first] = await inbox.claim("dead", long_ago, limit=10)
    assert first.update_id == 7
    # The living one takes 7 over (a second attempt), not 8, which must still wait for 7.
    taken = await inbox.claim("alive", now(), limit=10)
    assert [(u.update_id, u.attempts) for u in taken] == [(7, 2)]
    # Given back unstarted at a clean stop: no attempt counted, free for anyone.
    await inbox.unclaim("alive", [7])
    [again] = await inbox.claim("alive", now(), limit=10)
    assert (again.update_id, again.attempts) == (7, 2)


async def test_the_outbox_is_shared_by_chat_and_a_gone_senders_rows_come_back(store):
    outbox = store.outbox
    await store.workers.register("x", now())
    await store.workers.register("y", now())
    chats = [10, 11, 12, 13]
    await outbox.add(
        [OutboxMessage(chat, OutboxKind.FOLLOWUP, {"n": n}) for n, chat in enumerate(chats)]
    )
    halves = [Share(2, 0), Share(2, 1)]
    mine = [{row.chat_id for row in await outbox.due(share=share)} for share in halves]
    assert mine == [{10, 12}, {11, 13}]  # each chat has one sender
    rows = await outbox.due(share=halves[0], worker_id="x")
    assert await outbox.claim([row.id for row in rows], "x") == {row.id for row in rows}
    assert await outbox.claim([row.id for row in rows], "y") == set()  # never twice
    assert await outbox.recover(now()) == 0  # x is alive: its rows in flight stay its own
    await store.workers.leave("x")
    assert await outbox.recover(now()) == 2  # x is gone: its rows are pending again
    again = await outbox.due(share=Share(1, 0), worker_id="y")
    assert {row.chat_id for row in again} == set(chats)


async def test_a_chat_another_process_is_sending_to_waits(store, engine):
    if engine is None:
        pytest.skip("one process on SQLite: nobody else sends")
    outbox = store.outbox
    await store.workers.register("x", now())
    await store.workers.register("y", now())
    await outbox.add([OutboxMessage(10, OutboxKind.FOLLOWUP, {"n": 1})])
    [row] = await outbox.due(worker_id="x")
    assert await outbox.claim([row.id], "x") == {row.id}
    await outbox.add([OutboxMessage(10, OutboxKind.FOLLOWUP, {"n": 2})])
    # The shares moved (a process came): y now owns chat 10, but x is still sending to it.
    assert await outbox.due(worker_id="y") == []
    await outbox.mark_sent(row.id, 1)
    [second] = await outbox.due(worker_id="y")
    assert second.payload == {"n": 2}


async def test_a_lease_has_one_holder_until_it_is_gone(store):
    leases = store.leases
    await store.workers.register("x", now())
    await store.workers.register("y", now())
    assert await leases.hold("sweeps", "x", now(), 15)
    assert not await leases.hold("sweeps", "y", now(), 15)
    assert await leases.hold("sweeps", "x", now(), 15)  # renewed by its holder
    later = now() + timedelta(seconds=20)
    await store.workers.register("y", later)
    assert await leases.hold("sweeps", "y", later, 15)  # expired: taken over
    await store.workers.leave("y")
    assert await leases.hold("sweeps", "x", later, 15)  # holder gone: taken at once


async def insert_worker(store, worker_id: str, pid: int, host: str, seen: datetime) -> None:
    """A process's row as another process would have written it."""
    async with store.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO workers (worker_id, pid, host, started_at, seen_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (worker_id, pid, host, seen.isoformat(), seen.isoformat()),
        )


async def test_the_heartbeat_gives_each_process_its_share(store):
    workers = store.workers
    # Two processes on another machine (their pids mean nothing here); c's heartbeat stopped.
    await insert_worker(store, "b", 1, "other-machine/1", now())
    await insert_worker(store, "c", 2, "other-machine/1", now() - timedelta(seconds=11))
    assert await workers.beat("a", now()) == Share(2, 0)
    await workers.leave("b")
    assert await workers.beat("a", now()) == Share(1, 0)


async def test_an_earlier_bot_of_this_machine_whose_pid_is_gone_is_gone_at_once(store):
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await child.wait()  # its pid exists no more
    await insert_worker(store, "killed", child.pid, this_machine(), now())
    assert await store.workers.beat("a", now()) == Share(1, 0)  # not 2 for the next 10 s
    assert await store.workers.live(now()) == ["a"]
