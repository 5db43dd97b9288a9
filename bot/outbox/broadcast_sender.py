"""The sender for a broadcast's rows: one announcement to one citizen or group.

It reads what the pump looked up once per page (the broadcast, and the state of the page's
citizens), since a broadcast is thousands of rows of the same message, and checks at send time
that the broadcast was not cancelled and the citizen still wants announcements.
"""

from __future__ import annotations

from telegram import Message

from bot.outbox.policy import Undeliverable
from bot.outbox.sending import Outgoing
from storage.outbox import OutboxRow


async def send_broadcast(out: Outgoing, row: OutboxRow) -> Message:
    broadcast_id = int(row.payload["broadcast_id"])
    if broadcast_id not in out.broadcasts:
        out.broadcasts[broadcast_id] = await out.services.store.broadcasts.get(broadcast_id)
    broadcast = out.broadcasts[broadcast_id]
    if broadcast is None or broadcast.state == "cancelled":
        raise Undeliverable("broadcast cancelled")
    state = out.audience.get(row.chat_id)
    if state is not None and state.announcements_off:
        raise Undeliverable("announcements turned off")
    if state is not None and state.blocked:
        raise Undeliverable("forbidden: citizen blocked the bot")
    if broadcast.photo_file_id:
        return await out.bot.send_photo(
            row.chat_id, broadcast.photo_file_id, caption=broadcast.text
        )
    return await out.bot.send_message(row.chat_id, broadcast.text)
