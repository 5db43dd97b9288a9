"""The inbox keeps what replaying an update needs and nothing more: no phone number, no
forwarded or quoted strangers, and no payload at all once the update is handled."""

from __future__ import annotations

import asyncio
import json
import time

from telegram import Update

from bot.telegram.inbox import InboxQueue
from storage.store import Store

PHONE = "+6281234567890"


async def test_a_shared_contact_leaves_no_phone_number_in_the_inbox(sandbox, bot, store):
    warga = sandbox.citizen(first_name="Sari")
    await warga.send_contact(phone=PHONE)
    answer = await warga.next_message()
    assert answer.plain_text  # the bot answered the contact as before
    for _ in range(100):  # "done" is written just after the handler returns
        rows = await store.db.fetchall("SELECT * FROM inbox")
        if rows and all(row["done_at"] for row in rows):
            break
        await asyncio.sleep(0.05)
    assert rows and all(row["done_at"] for row in rows)
    assert all(row["payload"] == "{}" for row in rows)  # handled: emptied at once
    assert not any(PHONE in row["payload"] or "6281234567890" in row["payload"] for row in rows)


async def test_what_waits_for_replay_is_only_what_the_handlers_read(tmp_path, sandbox):
    warga = sandbox.citizen(first_name="Sari")
    user = {
        "id": warga.user_id,
        "is_bot": False,
        "first_name": "Sari",
        "last_name": "Wulandari",
        "username": "sari_w",
        "language_code": "id",
        "is_premium": True,
    }
    chat = {"id": warga.chat_id, "type": "private", "first_name": "Sari", "username": "sari_w"}
    contact = {"phone_number": PHONE, "first_name": "Budi", "vcard": f"TEL:{PHONE}"}
    replied = {"message_id": 3, "date": 1, "chat": chat, "from": user, "text": f"call {PHONE}"}
    forwarded = {"type": "user", "date": 1, "sender_user": {**user, "id": 99, "first_name": "X"}}
    raw = {
        "update_id": 41,
        "message": {
            "message_id": 4,
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "contact": contact,
            "reply_to_message": replied,
            "forward_origin": forwarded,
        },
    }
    store = await Store.open(tmp_path / "w.sqlite3")
    try:
        queue = InboxQueue()
        queue.attach(store.inbox)
        await queue.put(Update.de_json(raw, None))  # the door both polling and the webhook use
        [row] = await store.db.fetchall("SELECT payload FROM inbox")
        payload = row["payload"]
        for secret in (PHONE, "6281234567890", "Budi", "call "):
            assert secret not in payload, secret
        kept = json.loads(payload)["message"]
        assert "forward_origin" not in kept and "is_premium" not in kept["from"]
        # The sender's own @username stays: officers of a normal report see it on the card,
        # and with several processes the update is handled from this copy. The chat's does not.
        assert kept["from"]["username"] == "sari_w" and "username" not in kept["chat"]
        assert kept["reply_to_message"] == {
            "message_id": 3,
            "date": 1,
            "chat": {"id": warga.chat_id, "type": "private"},
            "from": {
                k: user[k]
                for k in ("id", "is_bot", "first_name", "last_name", "username", "language_code")
            },
        }
        # What a replay reads back is still a contact message from Sari, in Indonesian.
        [pending] = await store.inbox.unfinished()
        replay = Update.de_json(json.loads(pending.payload), None)
        assert replay.message.contact is not None and replay.message.contact.phone_number == ""
        assert replay.effective_user.full_name == "Sari Wulandari"
        assert replay.effective_user.language_code == "id"
        assert replay.message.reply_to_message.message_id == 3
        await queue.done(replay)
        [row] = await store.db.fetchall("SELECT payload, done_at FROM inbox")
        assert row["payload"] == "{}" and row["done_at"] is not None
    finally:
        await store.close()
