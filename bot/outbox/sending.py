"""What every sender is given, and the look-ups senders share.

A sender is a plain function of (:class:`Outgoing`, row), listed in :data:`bot.outbox.senders.
SENDERS` under its kind, so a reader (or a tool) finds every sender from the table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Bot, Message

from bot.outbox.policy import Undeliverable
from bot.services import Services
from storage.broadcasts import Broadcast
from storage.citizens import CitizenState
from storage.outbox import OutboxRow
from storage.reports import Report


@dataclass
class Outgoing:
    """The bot and services a sender uses, plus what the pump looked up once per page for the
    broadcast senders (each broadcast, and the state of its page's citizens). ``again`` asks the
    pump for another pass at once, for rows a sender has just written."""

    bot: Bot
    services: Services
    again: Callable[[], None]
    broadcasts: dict[int, Broadcast | None] = field(default_factory=dict)
    audience: dict[int, CitizenState] = field(default_factory=dict)


#: What a sender returns: the message sent (its id is recorded), or True for an edit that
#: Telegram answers without one.
Sender = Callable[[Outgoing, OutboxRow], Awaitable[Message | bool]]


async def report_of(out: Outgoing, row: OutboxRow) -> Report:
    """The row's report as it is now; a report that is gone cannot be sent about."""
    report = await out.services.store.reports.get(int(row.payload["report_id"]))
    if report is None:
        raise Undeliverable("report not found")
    return report


async def language_of(out: Outgoing, user_id: int) -> str:
    """The citizen's language of the moment; nothing more goes to one who blocked the bot."""
    citizen = await out.services.store.citizens.get(user_id)
    if citizen is not None and citizen.blocked_at is not None:
        raise Undeliverable("citizen blocked the bot")
    return citizen.language if citizen else out.services.settings.default_language


async def sendable(out: Outgoing, file_ids: list[str]) -> list[str | bytes]:
    """The photos as Telegram should get them: the kept evidence's bytes where the bot has
    stored them (a file id of an earlier token means nothing to this one), else the file id
    (bot/domain/evidence.py)."""
    return [await out.services.evidence.sendable(file_id) for file_id in file_ids]
