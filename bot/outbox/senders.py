"""The table of senders: one per outbox kind, looked up by a row's kind.

A table rather than methods found by name, so every sender is in plain sight here (and for
tools), and a kind without a sender fails at import instead of parking rows as dead at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from telegram import Message

from bot.outbox.broadcast_sender import send_broadcast
from bot.outbox.citizen_senders import send_followup, send_survey
from bot.outbox.group_senders import (
    send_admin_notice,
    send_alert_card,
    send_alert_edit,
    send_alert_photos,
    send_alert_pin,
    send_sla_escalation,
    send_sla_reminder,
)
from bot.outbox.policy import Undeliverable
from bot.outbox.sending import Outgoing, Sender
from storage.outbox import OutboxKind, OutboxRow

SENDERS: Mapping[OutboxKind, Sender] = MappingProxyType(
    {
        OutboxKind.ALERT_PHOTOS: send_alert_photos,
        OutboxKind.ALERT_PIN: send_alert_pin,
        OutboxKind.ALERT_CARD: send_alert_card,
        OutboxKind.ALERT_EDIT: send_alert_edit,
        OutboxKind.SLA_REMINDER: send_sla_reminder,
        OutboxKind.SLA_ESCALATION: send_sla_escalation,
        OutboxKind.ADMIN_NOTICE: send_admin_notice,
        OutboxKind.FOLLOWUP: send_followup,
        OutboxKind.SURVEY: send_survey,
        OutboxKind.BROADCAST: send_broadcast,
    }
)

_missing = sorted(set(OutboxKind) - SENDERS.keys())
if _missing:
    raise ImportError(f"outbox kinds without a sender: {', '.join(_missing)}")


async def send(out: Outgoing, row: OutboxRow) -> int | None:
    """Send one row; the id of the message sent, or None when Telegram returned none."""
    try:
        kind = OutboxKind(row.kind)
    except ValueError:
        raise Undeliverable(f"unknown kind {row.kind}") from None
    message = await SENDERS[kind](out, row)
    return message.message_id if isinstance(message, Message) else None
