"""Three ``python -m bot`` processes on one PostgreSQL database, and two of them killed.

All three work: one holds the polling lease (storage/polling_lease.py) and polls for all, and
each takes its share of the updates and of the outbox (bot/telegram/inbox_feeder.py,
storage/workers.py). Citizens report and an officer acknowledges while the poller is SIGKILLed
mid-report, then another process mid-acknowledgements. Afterwards: every confirmed report exists
exactly once, each citizen's conversation went on in order, every acknowledgement reached its
citizen (at most one repeat per kill), no alert card was posted twice beyond that, the work was
really shared (updates and messages handled by more than one process), and the sandbox never
had to answer 429.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal

import psycopg
import pytest

from storage.polling_lease import POLLING_LOCK_KEY
from storage.store import Store
from tests import pg_cluster
from tests.conftest import spawn_bot
from tests.helpers import DESCRIPTION, MONAS, jpeg, reference_in
from tests.test_groups import GAMBIR

pytestmark = pytest.mark.timeout(600)

#: Each citizen reports something else, so no report is offered as a neighbour's duplicate.
CATEGORIES = (
    "Banjir",
    "Sampah",
    "Jalan rusak",
    "Lampu jalan",
    "Pohon",
    "Saluran",
    "Parkir",
    "Fasilitas",
)
#: A takeover: the lease asked again within a second, then the new process's start-up.
PATIENCE = 60.0
ACKNOWLEDGED = re.compile(r"#(\d+)")


@pytest.fixture
def pg_url():
    server = os.environ.get(pg_cluster.ENV_URL)
    if not server:
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql)")
    name, url = pg_cluster.new_database(server)
    yield url
    pg_cluster.drop_database(server, name)


def polling_pid(url: str) -> int | None:
    """The process holding the polling lease, read from PostgreSQL's own lock table."""
    high, low = POLLING_LOCK_KEY >> 32, POLLING_LOCK_KEY & 0xFFFFFFFF
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s",
            (high, low),
        ).fetchone()
    return int(row[0].removeprefix("wargalapor-").removesuffix("-poll")) if row else None


async def wait_for_poller(url: str, processes, not_pid: int | None = None) -> int:
    for _ in range(int(PATIENCE * 10)):
        pid = await asyncio.to_thread(polling_pid, url)
        if pid is not None and pid != not_pid and pid in {p.pid for p in processes}:
            return pid
        await asyncio.sleep(0.1)
    raise AssertionError("no process took the polling lease")


def first_index(messages, found) -> int:
    return next((n for n, message in enumerate(messages) if found(message)), -1)


def went_in_order(warga, ref: int) -> bool:
    """The report's steps, then its reference, then the acknowledgement: never the other way."""
    messages = warga.messages
    steps = [
        first_index(messages, lambda m: any("Banjir" in b or "Sampah" in b for b in m.buttons)),
        first_index(messages, lambda m: any("✅" in b for b in m.buttons)),
        first_index(messages, lambda m: f"#{ref}" in m.plain_text),
        first_index(messages, lambda m: f"#{ref}" in m.plain_text and "👀" in m.plain_text),
    ]
    return -1 not in steps and steps == sorted(steps) and len(set(steps)) == len(steps)


async def file_report(warga, category: str) -> int:
    """The short way through the report flow, patient enough to outlast a takeover."""
    await warga.send("/report")
    await warga.next_message(timeout=PATIENCE)
    await warga.tap(category)
    await warga.next_message(timeout=PATIENCE)
    await warga.share_location(*MONAS)
    await warga.next_message(timeout=PATIENCE)
    await warga.send_photo(jpeg(5), caption=DESCRIPTION)
    await warga.next_message(timeout=PATIENCE)
    await warga.tap("✅")
    while True:  # a repeat after a kill may come first: the reference is what counts
        message = await warga.next_message(timeout=PATIENCE)
        if re.search(r"#\d+", message.plain_text):
            return reference_in(message.plain_text)


#: Sent in one burst, without waiting: each chat's answers must come back in this order, though
#: the updates may be taken by any of the processes.
BURST = ("/help", "/myreports", "/language", "/settings", "/help")


def first_line(message) -> str:
    return message.plain_text.splitlines()[0]


async def answers_in_order(sandbox, chats: int) -> None:
    """One citizen sends the burst a command at a time (what each answer looks like); others
    send it all at once and must get the same answers in the same order."""
    control = sandbox.citizen(first_name="Kontrol", started=True)
    expected = []
    for command in BURST:
        await control.send(command)
        expected.append(first_line(await control.next_message(timeout=PATIENCE)))
    assert len(set(expected)) == len(BURST) - 1  # the answers tell the commands apart
    people = [sandbox.citizen(first_name=f"Cepat {n}", started=True) for n in range(chats)]
    for command in BURST:
        for person in people:
            await person.send(command)
    for person in people:
        got = [first_line(await person.next_message(timeout=PATIENCE)) for _ in BURST]
        assert got == expected, person.transcript()


async def test_three_processes_two_killed_nothing_lost_or_doubled(sandbox, admin, pg_url, tmp_path):
    store = await Store.open(pg_url)
    group = sandbox.group(title="Kelurahan Gambir")
    group.add_member(admin, status="administrator")
    officer = sandbox.citizen(first_name="Bu RT", started=True)
    group.add_member(officer)
    await store.groups.link(group.chat_id, [GAMBIR], "Kelurahan Gambir", admin.user_id)
    await store.officers.add(officer.user_id, GAMBIR, admin.user_id)
    await store.close()

    logs = [tmp_path / f"bot{n}.log" for n in range(3)]
    handles = [log.open("wb") for log in logs]
    processes = [
        await spawn_bot(
            sandbox,
            tmp_path / f"files{n}" / "unused.sqlite3",
            errors=handles[n],
            DATABASE_URL=pg_url,
            ADMIN_USER_IDS=str(admin.user_id),
            OUTBOX_POLL_SECONDS="1",
        )
        for n in range(3)
    ]
    kills = 0
    try:
        first = await wait_for_poller(pg_url, processes)
        citizens = [
            sandbox.citizen(first_name=f"Warga {n}", started=True) for n in range(len(CATEGORIES))
        ]
        # Three report before any kill; the others are in the middle of it when the poller is
        # killed (it was also handling its share of their updates).
        early = await asyncio.gather(
            *(file_report(w, c) for w, c in zip(citizens[:3], CATEGORIES[:3], strict=True))
        )
        await answers_in_order(sandbox, chats=12)
        late = asyncio.gather(
            *(file_report(w, c) for w, c in zip(citizens[3:], CATEGORIES[3:], strict=True))
        )
        await asyncio.sleep(1.5)
        os.kill(first, signal.SIGKILL)
        kills += 1
        poller = await wait_for_poller(pg_url, processes, not_pid=first)
        references = [*early, *await late]
        # The officer acknowledges every report; a process that does not poll (it handles its
        # share of the presses and sends its share of the follow-ups) dies half-way.
        second = next(p.pid for p in processes if p.pid not in (first, poller))
        cards = {}
        for _ in range(60):
            for message in group.messages:
                found = re.match(r"^🚨 (?:Laporan|Report) #(\d+)", message.plain_text)
                if found and message.buttons:
                    cards[int(found[1])] = message
            if set(references) <= set(cards):
                break
            await asyncio.sleep(1)
        assert set(references) <= set(cards), group.transcript()
        for index, ref in enumerate(references):
            if index == 4:
                os.kill(second, signal.SIGKILL)
                kills += 1
            await group.tap(officer, "Terima", message=cards[ref], timeout=PATIENCE)

        # Every citizen hears that their report was acknowledged.
        for warga, ref in zip(citizens, references, strict=True):
            for _ in range(int(PATIENCE)):
                told = [
                    m for m in warga.messages if f"#{ref}" in m.plain_text and "👀" in m.plain_text
                ]
                if told:
                    break
                await asyncio.sleep(1)
            assert told, warga.transcript()
            assert went_in_order(warga, ref), warga.transcript()
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await asyncio.wait_for(process.wait(), timeout=60)
        for handle in handles:
            handle.close()

    # Exactly one report per confirmation, each with the reference its citizen was given.
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT id, citizen_id FROM reports ORDER BY id").fetchall()
        updates_by = conn.execute(
            "SELECT COUNT(DISTINCT claimed_by) FROM inbox WHERE done_at IS NOT NULL"
        ).fetchone()
        sends_by = conn.execute(
            "SELECT COUNT(DISTINCT claimed_by) FROM outbox WHERE state = 'sent'"
        ).fetchone()
    assert sorted(references) == [row[0] for row in rows]
    assert len(set(references)) == len(citizens)
    assert {row[1] for row in rows} == {w.user_id for w in citizens}
    # A kill may repeat what was in flight, once; nothing else is sent twice.
    repeats = 0
    for warga in citizens:
        texts = [m.plain_text for m in warga.messages]
        repeats += len(texts) - len(set(texts))
    assert repeats <= kills, [w.transcript() for w in citizens]
    posted = [
        int(found[1])
        for message in group.messages
        if (found := re.match(r"^🚨 (?:Laporan|Report) #(\d+)", message.plain_text))
    ]
    assert sorted(set(posted)) == sorted(references)
    assert len(posted) - len(set(posted)) <= kills, group.transcript()
    assert sandbox.count_429 == 0
    # The work was shared: updates and messages were handled by more than one process.
    assert updates_by is not None and updates_by[0] >= 2
    assert sends_by is not None and sends_by[0] >= 2
    said = [log.read_text() for log in logs]
    assert sum("another process polls" in text for text in said) >= 2  # two did not poll
    assert not any("Traceback" in text for text in said), said
