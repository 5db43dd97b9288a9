"""Three ``python -m bot`` processes on one PostgreSQL database, and two of them killed.

One process is active (it holds the active lease, storage/active_lease.py) and the others stand
by. Citizens report and an officer acknowledges while the active process is SIGKILLed, twice:
a standby takes over each time, and afterwards every confirmed report exists exactly once, every
citizen's conversation went on in order to its reference, every acknowledgement reached its
citizen (at most one repeat per kill), and the sandbox never had to answer 429.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal

import psycopg
import pytest

from storage.active_lease import ACTIVE_LOCK_KEY
from storage.store import Store
from tests import pg_cluster
from tests.conftest import spawn_bot
from tests.helpers import DESCRIPTION, MONAS, jpeg, reference_in
from tests.test_groups import GAMBIR

pytestmark = pytest.mark.timeout(600)

#: Each citizen reports something else, so no report is offered as a neighbour's duplicate.
CATEGORIES = ("Banjir", "Sampah", "Jalan rusak", "Lampu jalan", "Pohon", "Saluran", "Parkir")
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


def active_pid(url: str) -> int | None:
    """The process holding the active lease, read from PostgreSQL's own lock table."""
    high, low = ACTIVE_LOCK_KEY >> 32, ACTIVE_LOCK_KEY & 0xFFFFFFFF
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s",
            (high, low),
        ).fetchone()
    return int(row[0].removeprefix("wargalapor-")) if row else None


async def wait_for_active(url: str, processes, not_pid: int | None = None) -> int:
    for _ in range(int(PATIENCE * 10)):
        pid = await asyncio.to_thread(active_pid, url)
        if pid is not None and pid != not_pid and pid in {p.pid for p in processes}:
            return pid
        await asyncio.sleep(0.1)
    raise AssertionError("no process became active")


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
        first = await wait_for_active(pg_url, processes)
        citizens = [sandbox.citizen(first_name=f"Warga {n}", started=True) for n in range(7)]
        # Three report before any kill; four are in the middle of it when the first is killed.
        early = await asyncio.gather(
            *(file_report(w, c) for w, c in zip(citizens[:3], CATEGORIES[:3], strict=True))
        )
        late = asyncio.gather(
            *(file_report(w, c) for w, c in zip(citizens[3:], CATEGORIES[3:], strict=True))
        )
        await asyncio.sleep(1.5)
        os.kill(first, signal.SIGKILL)
        kills += 1
        second = await wait_for_active(pg_url, processes, not_pid=first)
        references = [*early, *await late]
        # The officer acknowledges every report; the second active process dies half-way.
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
            if index == 3:
                os.kill(second, signal.SIGKILL)
                kills += 1
                await wait_for_active(pg_url, processes, not_pid=second)
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
    assert sorted(references) == [row[0] for row in rows]
    assert len(set(references)) == len(citizens)
    assert {row[1] for row in rows} == {w.user_id for w in citizens}
    # A kill may repeat what was in flight, once; nothing else is sent twice.
    repeats = 0
    for warga in citizens:
        texts = [m.plain_text for m in warga.messages]
        repeats += len(texts) - len(set(texts))
    assert repeats <= kills, [w.transcript() for w in citizens]
    assert sandbox.count_429 == 0
    said = [log.read_text() for log in logs]
    assert sum("standby" in text for text in said) >= 2  # two waited at first
    assert not any("Traceback" in text for text in said), said
