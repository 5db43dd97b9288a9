"""Where a new report's alert goes, and the outbox rows that carry it there.

An alert is one message per group: the card with the status buttons, on the report's first photo
(the card as its caption) or as a text when there is none. A report with several photos sends
the rest after it, as a reply to the card, in a row of its own so a failure repeats only that.
The place is a map link on the card, not a message of its own.
"""

from __future__ import annotations

from bot.geo.areas import Area
from bot.geo.directory import scopes_of
from storage.agencies import Agency
from storage.outbox import PRIORITY_ALERT, OutboxKind, OutboxMessage
from storage.reports import Report
from storage.store import Store

OUTSIDE = "outside"  # the point is in no kelurahan of the service area
UNCOVERED = "uncovered"  # no group covers the kelurahan yet


async def recipients(
    store: Store,
    area: Area | None,
    admin_chat_id: int | None,
    *,
    category: str | None = None,
    agency: int | None = None,
) -> tuple[list[int], str | None]:
    """The groups that cover the area and those of the agencies handling ``category`` there; a
    report handed to one ``agency`` (reports.agency_id) goes to its groups only. Else the
    admins' chat, with the reason nobody else has it."""
    if agency is not None:
        owner = await store.agencies.get(agency)
        if owner is not None and owner.chats:
            return sorted(owner.chats), None
        if owner is not None:  # an agency without a group yet: the admins pass it on
            return ([admin_chat_id] if admin_chat_id is not None else []), UNCOVERED
    if area is not None:
        scopes = scopes_of(area)
        chats = {link.chat_id for link in await store.groups.chats_covering(scopes)}
        if category is not None:
            for handler in await store.agencies.handling(category, scopes):
                chats.update(handler.chats)
        if chats:
            return sorted(chats), None
    reason = OUTSIDE if area is None else UNCOVERED
    return ([admin_chat_id] if admin_chat_id is not None else []), reason


async def report_recipients(
    store: Store, report: Report, area: Area | None, admin_chat_id: int | None
) -> tuple[list[int], str | None]:
    """:func:`recipients` of a stored report: its category, and its agency after a hand-off."""
    return await recipients(
        store, area, admin_chat_id, category=report.category_key, agency=report.agency_id
    )


async def agencies_having(store: Store, report: Report, area: Area | None) -> list[Agency]:
    """The agencies whose groups :func:`report_recipients` sends ``report`` to: the one it was
    handed to, else those handling its category in its area (none outside every area)."""
    if report.agency_id is not None:
        owner = await store.agencies.get(report.agency_id)
        return [owner] if owner is not None else []
    if area is None:
        return []
    return await store.agencies.handling(report.category_key, scopes_of(area))


def alert_messages(
    report_id: int, chat_ids: list[int], *, photos: int, reason: str | None, cause: str = "new"
) -> list[OutboxMessage]:
    """The card for each chat, then the photos after the first when the report has more than
    one (``photos``: how many the reporter sent)."""
    messages = []
    for chat_id in chat_ids:
        payload = {"report_id": report_id, "reason": reason}
        parts = [OutboxKind.ALERT_CARD]
        if photos > 1:
            parts.append(OutboxKind.ALERT_MORE_PHOTOS)
        for kind in parts:
            messages.append(
                OutboxMessage(
                    chat_id=chat_id,
                    kind=kind,
                    payload=payload,
                    dedupe_key=f"{kind}:{report_id}:{chat_id}:{cause}",
                    priority=PRIORITY_ALERT,
                    report_id=report_id,
                )
            )
    return messages
