"""Two processes on one database, or on one bot token: no crash, one clear answer.

Real ``python -m bot`` processes, started at the same moment, as an overlapping systemd restart or
an operator in a second terminal starts them: exactly one bot runs, a second one exits 2 with a
line naming the first, ``migrate`` beside them applies each migration once, and a 409 Conflict
from another poller on the token is one log line, not a traceback per retry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sqlite3
import stat
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from telegram.error import Conflict, NetworkError
from telegram.ext import ApplicationHandlerStop

from bot.playground.botapi import Sandbox
from bot.telegram.polling_conflict import QUIET_SECONDS, PollingConflicts
from storage.db import migrations
from storage.locks import lock_path
from tests.conftest import spawn_bot
from tests.helpers import run_cli

ROUNDS = 5
ALL_MIGRATIONS = [name for _, name, _ in migrations()]
LATEST = migrations()[-1][0]


def assert_intact_and_migrated(database: Path) -> None:
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST


async def answers(sandbox: Sandbox, wait: float = 30) -> str:
    """A new citizen's /start, answered: the bot is up and serving (start-up included)."""
    warga = sandbox.citizen()
    await warga.send("/start")
    return (await warga.next_message(timeout=wait)).plain_text


async def stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is None:
        process.terminate()
    return await asyncio.wait_for(process.wait(), timeout=30)


async def test_two_bots_and_a_migrate_at_once_one_bot_runs_the_other_names_it(sandbox, tmp_path):
    for round in range(ROUNDS):
        database = tmp_path / f"round{round}" / "w.sqlite3"
        database.parent.mkdir()  # the folder only: the commands' working directory
        logs = [tmp_path / f"round{round}-{n}.log" for n in (1, 2)]
        with logs[0].open("wb") as one, logs[1].open("wb") as two:
            bots = await asyncio.gather(
                spawn_bot(sandbox, database, errors=one), spawn_bot(sandbox, database, errors=two)
            )
            migrate = asyncio.ensure_future(run_cli(database, "migrate"))
            try:
                waits = {asyncio.ensure_future(bot.wait()): bot for bot in bots}
                done, _ = await asyncio.wait(waits, timeout=60, return_when=asyncio.FIRST_COMPLETED)
                assert len(done) == 1, f"round {round}: both bots ran, or both stopped"
                loser = waits[done.pop()]
                winner = bots[1 - bots.index(loser)]
                assert "Ini WargaLapor" in await answers(sandbox)  # the other one serves
                migrated = await migrate
            finally:
                for bot in bots:
                    await stop(bot)
        said = logs[bots.index(loser)].read_text().splitlines()
        assert loser.returncode == 2
        assert said == [
            f"wargalapor: WargaLapor is already running on {database} (pid {winner.pid}); "
            f"stop it with `kill {winner.pid}` (or `systemctl stop` its service) before "
            "starting another: one bot per database"
        ]
        assert winner.returncode == 0
        ran = logs[bots.index(winner)].read_text()
        assert "Traceback" not in ran
        assert migrated.returncode == 0, migrated.stderr
        shown = re.fullmatch(
            rf"database {re.escape(str(database))}: schema version {LATEST} \(applied: (.+)\)\n",
            migrated.stdout,
        )
        assert shown, migrated.stdout
        by_migrate = [] if shown[1] == "none" else shown[1].split(", ")
        by_bot = [
            json.loads(line)["migration"]
            for line in ran.splitlines()
            if "migration applied" in line
        ]
        assert sorted(by_migrate + by_bot) == ALL_MIGRATIONS  # each one, once, by one of them
        assert_intact_and_migrated(database)


async def test_two_migrates_at_once_apply_each_migration_once(tmp_path):
    for round in range(ROUNDS):
        database = tmp_path / f"round{round}" / "w.sqlite3"
        database.parent.mkdir()
        results = await asyncio.gather(run_cli(database, "migrate"), run_cli(database, "migrate"))
        assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
        applied = sorted(re.search(r"applied: (.*)\)", r.stdout)[1] for r in results)
        assert applied == [", ".join(ALL_MIGRATIONS), "none"]
        assert all(r.stderr == "" for r in results)
        assert_intact_and_migrated(database)


async def test_the_commands_work_beside_the_running_bot(sandbox, tmp_path):
    database = tmp_path / "data" / "w.sqlite3"
    bot = await spawn_bot(sandbox, database)
    try:
        await answers(sandbox)
        lock = lock_path(database)
        assert lock.read_text() == f"{bot.pid}\n"
        assert stat.S_IMODE(os.stat(lock).st_mode) == 0o600

        migrated = await run_cli(database, "migrate")
        assert migrated.returncode == 0 and "(applied: none)" in migrated.stdout
        checked = await run_cli(database, "check")
        assert checked.returncode == 0 and f"schema {LATEST}, ok" in checked.stdout, checked.stderr
        created = await run_cli(database, "apikey", "create", "--name", "dinas-sda")
        assert created.returncode == 0, created.stderr
        listed = await run_cli(database, "apikey", "list")
        assert listed.returncode == 0 and "dinas-sda" in listed.stdout
        officers = await run_cli(database, "officer", "list")
        assert officers.returncode == 0, officers.stderr
        cases = await run_cli(database, "case", "list", "--area", "Gambir")
        assert cases.returncode == 0, cases.stderr
        webhook = await run_cli(  # a second bot, in webhook mode this time
            database,
            WEBHOOK_URL="https://bot.example.org/telegram",
            WEBHOOK_SECRET="s3cret",
            HTTP_PORT="8443",
        )
        assert webhook.returncode == 2
        assert webhook.stderr.startswith(
            f"wargalapor: WargaLapor is already running on {database} (pid {bot.pid}); "
        )
        assert bot.returncode is None
        assert "Ini WargaLapor" in await answers(sandbox)  # and the bot still serves
    finally:
        await stop(bot)
    assert lock.read_text() == ""  # a stopped bot's pid is not left to mislead


async def test_a_killed_bot_leaves_no_lock_behind(sandbox, tmp_path):
    """The kernel drops the lock with the process: a crash never blocks the next start."""
    database = tmp_path / "w.sqlite3"
    killed = await spawn_bot(sandbox, database)
    await answers(sandbox)
    killed.send_signal(signal.SIGKILL)
    await killed.wait()
    assert lock_path(database).read_text() == f"{killed.pid}\n"

    bot = await spawn_bot(sandbox, database)
    try:
        assert "Ini WargaLapor" in await answers(sandbox)
        assert lock_path(database).read_text() == f"{bot.pid}\n"
    finally:
        assert await stop(bot) == 0


def conflicts_of_the_bot(sandbox: Sandbox) -> list[str]:
    """What Telegram answered the bot's polls that met a 409 (the bot names the update types it
    wants; the rival does not)."""
    return [
        call.error or ""
        for call in sandbox.calls_to("getUpdates")
        if call.status == 409 and "allowed_updates" in call.params
    ]


async def rival_poller(sandbox: Sandbox, conflicts: int, seconds: float = 20) -> None:
    """Another process long-polling the same token, as a second server would, until the bot has
    met ``conflicts`` 409s: each of its polls ends the bot's, and the bot's ends its."""
    url = f"{sandbox.base_url}{sandbox.token}/getUpdates"
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=10) as client:
        while len(conflicts_of_the_bot(sandbox)) < conflicts and time.monotonic() < deadline:
            await client.post(url, json={"timeout": 1})


async def test_another_poller_on_the_token_is_one_clear_error_line(sandbox, tmp_path):
    database = tmp_path / "w.sqlite3"
    log = tmp_path / "bot.log"
    with log.open("wb") as errors:
        bot = await spawn_bot(sandbox, database, errors=errors)
        try:
            await answers(sandbox)
            await rival_poller(sandbox, conflicts=3)
            met = conflicts_of_the_bot(sandbox)
            assert len(met) >= 3 and set(met) == {
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running"
            }
            # The rival gone, the bot polls again and serves (after PTB's pause, a few seconds).
            assert "Ini WargaLapor" in await answers(sandbox, wait=40)
        finally:
            assert await stop(bot) == 0
    lines = log.read_text().splitlines()
    conflicts = [json.loads(line) for line in lines if "409 Conflict" in line]
    assert len(conflicts) == 1, lines
    assert conflicts[0]["level"] == "error"
    assert "only one may poll a bot token; stop the other one" in conflicts[0]["msg"]
    assert conflicts[0]["telegram"].startswith("Conflict: terminated by other getUpdates")
    assert not [line for line in lines if "Traceback" in line or "update failed" in line]


async def test_a_conflict_after_a_quiet_spell_is_logged_again(caplog):
    """Once per episode: retries while it lasts stay quiet; a conflict long after is news."""
    now = [0.0]
    conflicts = PollingConflicts(clock=lambda: now[0])
    context = SimpleNamespace(error=Conflict("Conflict: terminated by other getUpdates request"))
    caplog.set_level(logging.DEBUG, logger="bot.telegram.polling_conflict")
    for at in (0, 1, 2.5, 4.75, 30, QUIET_SECONDS + 31):
        now[0] = at
        with pytest.raises(ApplicationHandlerStop):  # the general handler never sees it
            await conflicts(None, context)
    assert [r.levelname for r in caplog.records] == ["ERROR", *["DEBUG"] * 4, "ERROR"]
    await conflicts(None, SimpleNamespace(error=NetworkError("down")))  # not ours: passed on
    await conflicts(object(), context)  # an update's own error is the general handler's
