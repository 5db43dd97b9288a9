"""Hand-offs ("bukan wewenang kami", disposisi): an officer gives a report to another agency or
area, with a reason. The report's groups change to the new owner's (bot/domain/alerts.py): a
group that gains it gets a new card, one that loses it sees its card say who has it now, with no
buttons; the groups that keep it see the card refreshed; the reporter and followers are told (the
event's note); the handoffs table keeps every hand-off for the history.

Why one function for Telegram and the CLI: the rule of which cards go, come and stay, and the one
transaction that moves the report with its messages, must not differ by who typed the hand-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import statuses
from bot.domain.alerts import alert_messages, recipients
from bot.domain.cases import Actor, ChangeResult, Outcome
from bot.geo.areas import Area
from storage import handoffs as handoff_rows
from storage import report_rows
from storage.agencies import Agency
from storage.outbox import PRIORITY_ALERT, OutboxKind, OutboxMessage, enqueue
from storage.reports import Report

if TYPE_CHECKING:  # bot.services builds services from bot.domain: no import cycle at run time
    from bot.services import Services


@dataclass(frozen=True)
class Target:
    """Who gets the report: one agency (only its groups have it then), or an area (its groups
    and the agencies of the report's category there)."""

    agency: Agency | None = None
    area: Area | None = None


@dataclass(frozen=True)
class Named:
    """How the groups and the reporter read the two owners (the caller's language)."""

    previous: str
    new: str


def is_current(report: Report, target: Target) -> bool:
    if target.agency is not None:
        return report.agency_id == target.agency.id
    return target.area is not None and (
        report.agency_id is None and report.area_code == target.area.code
    )


async def hand_off(
    services: Services,
    report_id: int,
    target: Target,
    actor: Actor,
    *,
    reason: str,
    named: Named,
    event_note: str,
) -> ChangeResult:
    """Give the report to ``target`` for ``reason``. ``named``: its owners before and after;
    ``event_note``: what the history and the reporter read (bot/owners.py words both)."""
    store = services.store
    report = await store.reports.get(report_id)
    if report is None:
        return ChangeResult(Outcome.NOT_FOUND)
    if not statuses.moves(report.status, "officer"):  # closed: nothing left to hand over
        return ChangeResult(Outcome.NOT_ALLOWED, report)
    if is_current(report, target):
        return ChangeResult(Outcome.UNCHANGED, report)
    if not reason.strip():
        return ChangeResult(Outcome.NOTE_REQUIRED, report)
    area = target.area or services.areas.by_code.get(report.area_code or "")
    agency_id = target.agency.id if target.agency else None
    chats, why = await recipients(
        store,
        area,
        services.settings.admin_chat_id,
        category=report.category_key,
        agency=agency_id,
    )
    old = {card.chat_id: card for card in await store.alerts.cards(report.id)}
    retired = frozenset(old) - set(chats)
    fresh = [chat for chat in chats if chat not in old]
    photos = [p for p in await store.reports.photos(report.id) if p.role == "citizen"]
    async with store.db.transaction() as conn:
        current = await report_rows.get_in(conn, report.id)
        if current is None or current != report:  # changed meanwhile: the officer looks again
            return ChangeResult(Outcome.NOT_ALLOWED, current)
        await handoff_rows.set_owner_in(conn, report.id, agency_id, area.code if area else None)
        event_id = await services.cases.record_in(
            conn, report, actor, note=event_note, retired=retired
        )
        await handoff_rows.record_in(
            conn,
            report.id,
            event_id,
            owners=(named.previous, named.new),
            to_agency=agency_id,
            to_area=target.area.code if target.area else None,
            note=reason.strip(),
            actor=(actor.kind, actor.id),
        )
        for message in alert_messages(
            report.id, fresh, photos=len(photos), reason=why, cause=f"handoff{event_id}"
        ):
            await enqueue(conn, message)
        for chat_id in sorted(retired):
            await enqueue(conn, _retire(report.id, chat_id, old[chat_id].message_id, named.new))
        moved = await report_rows.get_in(conn, report.id)
    services.waker()
    return ChangeResult(Outcome.CHANGED, moved, event_id)


def _retire(report_id: int, chat_id: int, message_id: int, owner: str) -> OutboxMessage:
    return OutboxMessage(
        chat_id=chat_id,
        kind=OutboxKind.HANDOFF_RETIRE,
        payload={"report_id": report_id, "message_id": message_id, "owner": owner},
        dedupe_key=f"{OutboxKind.HANDOFF_RETIRE}:{report_id}:{chat_id}:{message_id}",
        priority=PRIORITY_ALERT,
        report_id=report_id,
    )
