"""The table of senders: one per outbox kind, looked up by a row's kind.

A table rather than methods found by name, so every sender is in plain sight here (and for
tools), and a kind without a sender fails at import instead of parking rows as dead at run time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

from telegram import Message

from bot.outbox.addition_sender import send_citizen_update
from bot.outbox.broadcast_sender import send_broadcast
from bot.outbox.citizen_senders import send_evidence_too_large, send_followup, send_survey
from bot.outbox.group_senders import (
    send_admin_notice,
    send_alert_card,
    send_alert_edit,
    send_alert_more_photos,
    send_handoff_retire,
    send_sla_escalation,
    send_sla_reminder,
    send_withdrawal_notice,
)
from bot.outbox.policy import Undeliverable
from bot.outbox.sending import Outgoing, Sender
from storage.outbox import OutboxKind, OutboxRow

log = logging.getLogger(__name__)

SENDERS: Mapping[OutboxKind, Sender] = MappingProxyType(
    {
        OutboxKind.ALERT_CARD: send_alert_card,
        OutboxKind.ALERT_MORE_PHOTOS: send_alert_more_photos,
        OutboxKind.ALERT_EDIT: send_alert_edit,
        OutboxKind.SLA_REMINDER: send_sla_reminder,
        OutboxKind.SLA_ESCALATION: send_sla_escalation,
        OutboxKind.ADMIN_NOTICE: send_admin_notice,
        OutboxKind.FOLLOWUP: send_followup,
        OutboxKind.SURVEY: send_survey,
        OutboxKind.BROADCAST: send_broadcast,
        OutboxKind.CITIZEN_UPDATE: send_citizen_update,
        OutboxKind.WITHDRAWAL_NOTICE: send_withdrawal_notice,
        OutboxKind.HANDOFF_RETIRE: send_handoff_retire,
        OutboxKind.EVIDENCE_TOO_LARGE: send_evidence_too_large,
    }
)

#: What a citizen gets about one report: a reply to it adds to that report (domain/additions.py).
ABOUT_A_REPORT = frozenset({OutboxKind.FOLLOWUP, OutboxKind.SURVEY, OutboxKind.EVIDENCE_TOO_LARGE})

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
    if not isinstance(message, Message):
        return None
    if kind in ABOUT_A_REPORT and row.report_id is not None:
        try:
            await out.services.additions.remember(row.chat_id, message.message_id, row.report_id)
        except Exception:  # it went out: a failed note of it must not send it again
            log.warning("could not remember the message's report", exc_info=True)
    return message.message_id
