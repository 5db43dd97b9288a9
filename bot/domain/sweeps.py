"""The scheduler's sweeps: SLA reminders and escalation, the "is it fixed?" survey, auto-close,
and deleting old rows (bot/domain/retention.py).

Each is an idempotent pass over due-at columns (FixMyStreet's questionnaire sweep is the model):
it keeps no state of its own, marks what it did in the same transaction as the messages it
enqueues, and so may run every minute, twice, or after a crash without repeating anything.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time

from bot.domain import statuses
from bot.domain.alerts import agencies_having, report_recipients
from bot.domain.cases import Actor, card_refresh
from bot.domain.retention import Retention
from bot.services import Services
from storage.groups import Scope
from storage.outbox import PRIORITY_ALERT, PRIORITY_FOLLOWUP, OutboxKind, OutboxMessage
from storage.reports import Report

log = logging.getLogger(__name__)

SYSTEM = Actor("system", None, "WargaLapor")


def in_quiet_hours(moment: time, quiet: tuple[time, time] | None) -> bool:
    """True inside [start, end); a range past midnight (22:00–06:00) wraps."""
    if quiet is None:
        return False
    start, end = quiet
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


class Sweeps:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.retention = Retention(services.settings, services.store.db)
        self._lock = asyncio.Lock()

    async def run(self) -> None:
        """All sweeps, one at a time; a second caller while one runs simply skips."""
        if self._lock.locked():
            return
        async with self._lock:
            now = self.services.clock.now()
            await self.sla(now)
            await self.surveys(now)
            await self.auto_close(now)
            await self.retention.run(now)

    def quiet(self, now: datetime) -> bool:
        local = now.astimezone(self.services.settings.tz).time()
        return in_quiet_hours(local, self.services.settings.quiet_hours)

    async def sla(self, now: datetime) -> None:
        """Reminders at 1× the category's SLA, escalation at 2×; both wait out quiet hours. The
        reminder goes where the report's cards are (its area's groups and its agencies'), and
        refreshes them, which now say "lewat SLA"."""
        if self.quiet(now):
            return
        store = self.services.store
        sweeps = store.sweeps
        for report in await sweeps.overdue(
            now, factor=1, column="reminded_at", waiting=statuses.WAITING
        ):
            area = self.services.areas.by_code.get(report.area_code or "")
            chats, _ = await report_recipients(
                store, report, area, self.services.settings.admin_chat_id
            )
            messages = [self._message(OutboxKind.SLA_REMINDER, chat, report) for chat in chats]
            messages += [
                card_refresh(card.chat_id, report.id, f"sla{report.sla_started_at}")
                for card in await store.alerts.cards(report.id)
            ]
            await sweeps.mark(report.id, "reminded_at", now, messages)
        for report in await sweeps.overdue(
            now, factor=2, column="escalated_at", waiting=statuses.WAITING
        ):
            chats = await self._escalation_chats(report)
            messages = [self._message(OutboxKind.SLA_ESCALATION, chat, report) for chat in chats]
            await sweeps.mark(report.id, "escalated_at", now, messages)
        self.services.waker()

    async def _escalation_chats(self, report: Report) -> list[int]:
        """Up the chain: the kecamatan and kota groups, and the admins. An agency (Dinas SDA,
        PLN) has no level above it (storage/agencies.py: no parent), so a report it has is
        escalated in its own groups, where its head reads, and to the admins, who can press
        it. A report handed to an agency is not its area's any more: the area's chain is not
        told (its cards were retired with the hand-off)."""
        store = self.services.store
        chats: set[int] = set()
        area = self.services.areas.by_code.get(report.area_code or "")
        for agency in await agencies_having(store, report, area):
            chats.update(agency.chats)
        if area is not None and report.agency_id is None:
            upper = [Scope("kecamatan", area.district), Scope("kota", area.city)]
            chats |= {link.chat_id for link in await store.groups.chats_covering(upper)}
        if self.services.settings.admin_chat_id is not None:
            chats.add(self.services.settings.admin_chat_id)
        return sorted(chats)

    @staticmethod
    def _message(kind: OutboxKind, chat_id: int, report: Report) -> OutboxMessage:
        return OutboxMessage(
            chat_id=chat_id,
            kind=kind,
            payload={"report_id": report.id},
            dedupe_key=f"{kind}:{report.id}:{chat_id}:{report.sla_started_at}",
            priority=PRIORITY_ALERT,
            report_id=report.id,
        )

    async def surveys(self, now: datetime) -> None:
        """Ask the reporter "is it fixed?" a while after resolution (not held by quiet hours:
        it is a follow-up to the citizen)."""
        sweeps = self.services.store.sweeps
        for report in await sweeps.survey_due(
            now,
            after_hours=self.services.settings.survey_after_hours,
            resolved=statuses.AWAITING_CONFIRMATION,
        ):
            message = OutboxMessage(
                chat_id=report.citizen_id,
                kind=OutboxKind.SURVEY,
                payload={"report_id": report.id},
                dedupe_key=f"survey:{report.id}:{report.resolved_at}",
                priority=PRIORITY_FOLLOWUP,
                report_id=report.id,
            )
            await sweeps.mark(report.id, "survey_sent_at", now, [message])
        self.services.waker()

    async def auto_close(self, now: datetime) -> None:
        """Unanswered resolved reports close by themselves; followers are told."""
        for report in await self.services.store.sweeps.close_due(
            now,
            after_days=self.services.settings.auto_close_days,
            resolved=statuses.AWAITING_CONFIRMATION,
        ):
            await self.services.cases.change_status(report.id, statuses.CLOSED, SYSTEM)
            log.info("report closed without an answer", extra={"report": report.id})
