"""Updates are kept until handled: replayed after a crash, never twice when Telegram repeats
one, and given up when they keep killing the bot. (The SIGKILL story is in test_restart.py.)"""

from __future__ import annotations

import json
import time

from bot.telegram.inbox import MAX_ATTEMPTS, InboxQueue
from storage.store import Store

START = [{"type": "bot_command", "offset": 0, "length": 6}]


def start_update(update_id: int, person) -> str:
    """The JSON Telegram sends when ``person`` types /start in their private chat."""
    user = {"id": person.user_id, "is_bot": False, "first_name": person.first_name}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": person.chat_id, "type": "private", "first_name": person.first_name},
        "from": {**user, "language_code": "id"},
        "text": "/start",
        "entities": START,
    }
    return json.dumps({"update_id": update_id, "message": message})


async def test_unfinished_updates_are_replayed_repeats_dropped_poison_given_up(
    sandbox, tmp_path, make_bot, engine
):
    database = tmp_path / "data" / "wargalapor.sqlite3"
    handled = sandbox.citizen("Hana")
    # They wrote before the crash, so Telegram lets the bot answer them.
    crashed, poison = sandbox.citizen("Ani", started=True), sandbox.citizen(started=True)
    first = sandbox.world.next_update_id
    store = await Store.open(engine or database)  # the database the bot will start on
    await store.inbox.receive(first, start_update(first, handled))
    await store.inbox.done(first)
    await store.inbox.receive(10_001, start_update(10_001, crashed))
    await store.inbox.receive(10_002, start_update(10_002, poison))
    await store.inbox.begin_replay([10_002, 10_002, 10_002])  # it crashed the bot three times
    await store.close()

    bot = await make_bot()

    welcome = await crashed.next_message()  # replayed at start, though Telegram never resends it
    assert "Ani" in welcome.plain_text or "WargaLapor" in welcome.plain_text
    await handled.send("/start")  # update `first` again: Telegram repeating what was handled
    await handled.expect_no_message(within=1.0)
    await handled.send("/help")
    assert "/report" in (await handled.next_message()).plain_text
    await poison.expect_no_message(within=0.3)

    rows = {
        row["update_id"]: row
        for row in await bot.services.store.db.fetchall("SELECT * FROM inbox ORDER BY update_id")
    }
    assert rows[10_001]["attempts"] == 1 and rows[10_001]["done_at"] is not None
    assert rows[10_002]["attempts"] == 3 and rows[10_002]["done_at"] is not None
    assert rows[first + 1]["done_at"] is not None  # /help, handled and noted


async def test_a_replay_counts_only_once_its_handlers_start(tmp_path, sandbox):
    """Killed again while working through a backlog: the updates still waiting were not tried,
    so they are not one step nearer to being given up."""
    store = await Store.open(tmp_path / "w.sqlite3")
    try:
        waiting = sandbox.citizen()
        await store.inbox.receive(7, start_update(7, waiting))
        for _restart in range(MAX_ATTEMPTS + 1):
            queue = InboxQueue()
            queue.attach(store.inbox)
            assert await queue.replay(None) == 1  # queued each time, never started
        [pending] = await store.inbox.unfinished()
        assert pending.attempts == 0
        update = await queue.get()
        await queue.starting(update)
        await queue.starting(update)  # the same run: counted once
        [pending] = await store.inbox.unfinished()
        assert pending.attempts == 1
    finally:
        await store.close()
