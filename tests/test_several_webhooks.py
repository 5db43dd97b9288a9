"""Two ``python -m bot`` processes in webhook mode on one PostgreSQL database, behind a
round-robin "load balancer" (this test posting each update to the next process in turn).

Each accepts ``POST /telegram`` and only writes the update to the shared inbox; whichever process
is free handles it (bot/telegram/inbox_feeder.py). So a chat whose updates are spread over both
processes still gets its answers in the order it wrote, each once; an update Telegram posts
again (to the other process, after a timeout) is handled once; and both processes did work.
"""

from __future__ import annotations

import asyncio
import itertools

import httpx
import psycopg
import pytest

from bot.http.webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.conftest import spawn_bot
from tests.test_several_processes import pg_url  # noqa: F401 (a fixture)
from tests.test_webhook import SECRET, URL, free_port, update_from

pytestmark = pytest.mark.timeout(300)

BURST = ("/help", "/myreports", "/language", "/settings", "/help")
PATIENCE = 30.0


def first_line(message) -> str:
    return message.plain_text.splitlines()[0]


async def test_two_webhook_processes_answer_every_chat_in_order_and_once(
    sandbox,
    pg_url,  # noqa: F811
    tmp_path,
):
    ports = [free_port(), free_port()]
    processes = [
        await spawn_bot(
            sandbox,
            tmp_path / f"files{n}" / "unused.sqlite3",
            DATABASE_URL=pg_url,
            HTTP_PORT=str(port),
            WEBHOOK_URL=URL,
            WEBHOOK_SECRET=SECRET,
        )
        for n, port in enumerate(ports)
    ]
    try:
        async with asyncio.timeout(60):
            while len(sandbox.calls_to("setWebhook")) < 2:
                assert all(p.returncode is None for p in processes)
                await asyncio.sleep(0.1)
        backends = itertools.cycle(f"http://127.0.0.1:{port}" for port in ports)
        async with httpx.AsyncClient(timeout=10) as balancer:

            async def post(update: dict) -> None:
                answer = await balancer.post(
                    next(backends) + WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET}
                )
                assert answer.status_code == 200, answer.text

            # What each answer looks like: one command at a time, each answered first.
            control = sandbox.citizen(first_name="Kontrol", started=True)
            expected = []
            for command in BURST:
                await post(update_from(control, command))
                expected.append(first_line(await control.next_message(timeout=PATIENCE)))
            # Ten citizens write the burst all at once, their updates spread over both.
            people = [sandbox.citizen(first_name=f"Cepat {n}", started=True) for n in range(10)]
            sent = []
            for command in BURST:
                for person in people:
                    update = update_from(person, command)
                    sent.append(update)
                    await post(update)
            # Telegram posting one again (it timed out waiting for the first backend's 200).
            await post(sent[3])
            for person in people:
                got = [first_line(await person.next_message(timeout=PATIENCE)) for _ in BURST]
                assert got == expected, person.transcript()
                await person.expect_no_message(within=0.3)  # no repeat
        with psycopg.connect(pg_url) as conn:
            handled_by = conn.execute(
                "SELECT COUNT(DISTINCT claimed_by) FROM inbox WHERE done_at IS NOT NULL"
            ).fetchone()
        assert handled_by is not None and handled_by[0] == 2  # both processes did work
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await asyncio.wait_for(process.wait(), timeout=60)
    assert all(process.returncode == 0 for process in processes)
