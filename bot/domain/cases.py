"""The one way a report's status changes, whoever asks: a group button, a reply, the CLI, HTTP.

Each change appends its event, updates the report, and enqueues the follow-ups for the reporter
and followers and the refresh of every alert card, all in one transaction; a change that is not
allowed from the current status changes nothing.

Why the "after" photo is checked here and nowhere else: a category may require proof before a
report is resolved (``resolve_photo = "required"`` in ``bot/data/categories.toml``, as
Jakarta's officers must show one on JAKI). Every way of resolving (the group's ✅ Selesai, the
staff form, the case CLI, the update API and Open311) comes through :meth:`change_status`, so
none of them can resolve such a report without a photo: given with the change, or attached by
staff since the report was last reopened (:data:`PROOF_BY`).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.domain import statuses
from bot.domain.alerts import alert_messages, report_recipients
from bot.geo.areas import Area, AreaIndex
from storage import report_rows
from storage.after_photos import photo_since_in
from storage.alerts import cards_in
from storage.backend import Connection
from storage.categories import Category
from storage.outbox import PRIORITY_ALERT, PRIORITY_FOLLOWUP, OutboxKind, OutboxMessage, enqueue
from storage.photos import PhotoRef
from storage.reports import Report
from storage.sqltext import utc_now
from storage.store import Store
from storage.sweeps import restart_sla_in

#: The longest note a person may attach to a change, whoever writes it (an officer's reply, the
#: staff form, the CLI, the API): its follow-up must still fit a photo's 1,024-character caption.
MAX_NOTE = 700


class Outcome(enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already in that status: nothing to do
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    NOTE_REQUIRED = "note_required"
    BAD_DUPLICATE = "bad_duplicate"
    ORIGINAL_FORBIDDEN = "original_forbidden"  # the actor may not touch the original report
    PHOTO_REQUIRED = "photo_required"  # resolving this category needs an "after" photo


#: Whose photo on a report is proof of the fix: staff's, never the reporter's own additions.
PROOF_BY: tuple[str, ...] = ("officer", "admin", "agency")


#: Whether the actor may act on a report too: asked of the original when marking a duplicate.
MayTouch = Callable[[Report], Awaitable[bool]]


async def anywhere(_report: Report) -> bool:
    """The operator's own terminal (the case CLI) may use any report as the original."""
    return True


@dataclass(frozen=True)
class Actor:
    kind: str  # citizen | officer | admin | agency | system
    id: int | None
    name: str | None


@dataclass(frozen=True)
class ChangeResult:
    outcome: Outcome
    report: Report | None = None
    event_id: int | None = None


def followup(chat_id: int, report_id: int, event_id: int) -> OutboxMessage:
    return OutboxMessage(
        chat_id=chat_id,
        kind=OutboxKind.FOLLOWUP,
        payload={"report_id": report_id, "event_id": event_id},
        dedupe_key=f"followup:{event_id}:{chat_id}",
        priority=PRIORITY_FOLLOWUP,
        report_id=report_id,
    )


def card_refresh(chat_id: int, report_id: int, cause: str) -> OutboxMessage:
    return OutboxMessage(
        chat_id=chat_id,
        kind=OutboxKind.ALERT_EDIT,
        payload={"report_id": report_id},
        dedupe_key=f"alert_edit:{report_id}:{chat_id}:{cause}",
        priority=PRIORITY_ALERT,
        report_id=report_id,
    )


class CasesService:
    def __init__(
        self,
        store: Store,
        wake: Callable[[], None],
        *,
        areas: AreaIndex | None = None,
        admin_chat_id: int | None = None,
        categories: Mapping[str, Category] | None = None,
    ) -> None:
        """``areas`` and ``admin_chat_id`` let a reopened report alert its groups again;
        ``categories`` (the bundled list, by key) say which need an "after" photo to resolve.
        The bot, the CLI and the HTTP API pass all three; a service built without categories
        (storage and delivery tests) asks no category for a photo."""
        self.store = store
        self.wake = wake
        self.areas = areas
        self.admin_chat_id = admin_chat_id
        self.categories: Mapping[str, Category] = categories or {}

    def after_photo_required(self, report: Report) -> bool:
        """Whether resolving ``report`` needs an "after" photo: its category says so."""
        category = self.categories.get(report.category_key)
        return category is not None and category.after_photo_required

    async def _lacks_proof(self, conn: Connection, report: Report, photo: PhotoRef | None) -> bool:
        """A move to resolved with no photo where the category needs one and staff attached
        none since the report was last reopened (an earlier fix's photo is not proof)."""
        if photo is not None or not self.after_photo_required(report):
            return False
        return not await photo_since_in(
            conn, report.id, by=PROOF_BY, since_status=statuses.REOPENED
        )

    async def _reopen_alerts(
        self, report_id: int
    ) -> tuple[frozenset[int], Callable[[int, int], list[OutboxMessage]]]:
        """A reopened report goes back to the groups as a fresh alert, photos and all (whoever
        reopened it: the citizen's survey answer, an agency through the CLI or HTTP); with the
        chats it goes to, whose old card the new one retires instead of a refresh."""
        report = await self.store.reports.get(report_id)
        if report is None or self.areas is None:
            return frozenset(), lambda _report_id, _event_id: []
        area = self.areas.by_code.get(report.area_code or "")
        chats, reason = await report_recipients(self.store, report, area, self.admin_chat_id)
        photos = [p for p in await self.store.reports.photos(report_id) if p.role == "citizen"]
        return frozenset(chats), lambda report_id, event_id: alert_messages(
            report_id, chats, photos=len(photos), reason=reason, cause=f"reopen{event_id}"
        )

    async def change_status(
        self,
        report_id: int,
        new_status: str,
        actor: Actor,
        *,
        note: str | None = None,
        photo: PhotoRef | None = None,
        duplicate_of: int | None = None,
        may_touch_original: MayTouch | None = None,
        messages: Callable[[int, int], list[OutboxMessage]] | None = None,
    ) -> ChangeResult:
        """``messages(report_id, event_id)``: extra rows caused by the change (a reopened
        report's new alert), enqueued in the same transaction.

        A move to resolved in a category that needs an "after" photo is
        ``Outcome.PHOTO_REQUIRED`` unless ``photo`` is given or staff attached one since the
        report was last reopened; it is asked after the lifecycle, so a report that cannot be
        resolved at all says that instead.

        Marking a duplicate moves the reporter onto the original, so the actor must be allowed
        on the original as well: every caller says how (``may_touch_original``), and it is
        asked before the transaction because it may ask Telegram (a group's administrators).
        """
        if new_status not in statuses.STATUSES:
            raise ValueError(f"unknown status {new_status!r}")
        if new_status == statuses.DUPLICATE:
            if may_touch_original is None:
                raise ValueError("a duplicate needs may_touch_original: who may use the original")
            original = await self.store.reports.get(duplicate_of) if duplicate_of else None
            if original is not None and not await may_touch_original(original):
                return ChangeResult(
                    Outcome.ORIGINAL_FORBIDDEN, await self.store.reports.get(report_id)
                )
        if new_status == statuses.REJECTED and not (note and note.strip()):
            return ChangeResult(Outcome.NOTE_REQUIRED)
        new_cards: frozenset[int] = frozenset()
        if new_status == statuses.REOPENED and messages is None:
            new_cards, messages = await self._reopen_alerts(report_id)
        async with self.store.db.transaction() as conn:
            report = await report_rows.get_in(conn, report_id)
            if report is None:
                return ChangeResult(Outcome.NOT_FOUND)
            if report.status == new_status:
                return ChangeResult(Outcome.UNCHANGED, report)
            if new_status not in statuses.moves(report.status, actor.kind):
                return ChangeResult(Outcome.NOT_ALLOWED, report)
            if new_status == statuses.RESOLVED and await self._lacks_proof(conn, report, photo):
                return ChangeResult(Outcome.PHOTO_REQUIRED, report)
            original = None
            if new_status == statuses.DUPLICATE:
                original = await report_rows.get_in(conn, duplicate_of) if duplicate_of else None
                if original is None or original.id == report.id:
                    return ChangeResult(Outcome.BAD_DUPLICATE, report)
            event_id = await self._record(
                conn,
                report,
                actor,
                status=new_status,
                note=note.strip() if note else None,
                photo=photo,
                duplicate_of=original.id if original else None,
                new_cards=new_cards,
            )
            if new_status == statuses.REOPENED:
                await restart_sla_in(conn, report.id, utc_now())
            for message in messages(report.id, event_id) if messages else []:
                await enqueue(conn, message)
            if original is not None:
                # The reporter and followers now follow the original, which gains their support.
                for user_id in await report_rows.followers_in(conn, report.id):
                    await report_rows.add_follower_in(conn, original.id, user_id)
                for card in await cards_in(conn, original.id):
                    await enqueue(conn, card_refresh(card.chat_id, original.id, f"e{event_id}"))
            changed = await report_rows.get_in(conn, report.id)
        self.wake()
        return ChangeResult(Outcome.CHANGED, changed, event_id)

    async def withdraw(self, report_id: int, citizen_id: int, reason: str) -> ChangeResult:
        """The reporter takes back a report no officer has acknowledged yet (issue 18). The
        reason is the event's note; followers get their follow-up and every card its refresh
        (withdrawn is final: the buttons go) by the usual way of a change, and each card's group
        a notice under it. Someone else's report is NOT_ALLOWED; an acknowledged one too (the
        lifecycle allows it from ``new`` only)."""
        report = await self.store.reports.get(report_id)
        if report is None:
            return ChangeResult(Outcome.NOT_FOUND)
        if report.citizen_id != citizen_id:
            return ChangeResult(Outcome.NOT_ALLOWED, report)
        cards = await self.store.alerts.cards(report_id)

        def notices(report_id: int, event_id: int) -> list[OutboxMessage]:
            return [
                OutboxMessage(
                    chat_id=card.chat_id,
                    kind=OutboxKind.WITHDRAWAL_NOTICE,
                    payload={"report_id": report_id, "event_id": event_id},
                    dedupe_key=f"withdrawn:{event_id}:{card.chat_id}",
                    priority=PRIORITY_ALERT,
                    report_id=report_id,
                )
                for card in cards
            ]

        actor = Actor("citizen", citizen_id, None)
        return await self.change_status(
            report_id, statuses.WITHDRAWN, actor, note=reason, messages=notices
        )

    async def add_note(
        self, report_id: int, actor: Actor, *, note: str | None, photo: PhotoRef | None = None
    ) -> ChangeResult:
        """A public note or an extra photo: an event that keeps the status, told to followers."""
        async with self.store.db.transaction() as conn:
            report = await report_rows.get_in(conn, report_id)
            if report is None:
                return ChangeResult(Outcome.NOT_FOUND)
            event_id = await self._record(
                conn,
                report,
                actor,
                status=report.status,
                note=note.strip() if note else None,
                photo=photo,
            )
        self.wake()
        return ChangeResult(Outcome.CHANGED, report, event_id)

    async def move(
        self,
        report_id: int,
        area: Area,
        actor: Actor,
        *,
        note: str,
        alerts: Callable[[int, int], list[OutboxMessage]],
    ) -> ChangeResult:
        """Hand a report to another kelurahan: its groups get the alert (``alerts(report_id,
        event_id)``), the old cards show the new place, followers are told."""
        async with self.store.db.transaction() as conn:
            report = await report_rows.get_in(conn, report_id)
            if report is None:
                return ChangeResult(Outcome.NOT_FOUND)
            if report.area_code == area.code:
                return ChangeResult(Outcome.UNCHANGED, report)
            await report_rows.set_area_in(conn, report.id, area.code)
            event_id = await self._record(conn, report, actor, status=report.status, note=note)
            for message in alerts(report.id, event_id):
                await enqueue(conn, message)
            moved = await report_rows.get_in(conn, report.id)
        self.wake()
        return ChangeResult(Outcome.CHANGED, moved, event_id)

    async def record_in(
        self, conn: Connection, report: Report, actor: Actor, *, note: str, retired: frozenset[int]
    ) -> int:
        """A change of who has the report (bot/domain/handoffs.py), told like any other; the
        cards in ``retired`` are replaced by the hand-off's own edit instead of a refresh."""
        return await self._record(
            conn, report, actor, status=report.status, note=note, new_cards=retired
        )

    async def follow(self, report_id: int, user_id: int) -> bool:
        """A neighbour's "+1": they get the follow-ups; the alert shows one more supporter."""
        async with self.store.db.transaction() as conn:
            added = await report_rows.add_follower_in(conn, report_id, user_id)
            if added:
                for card in await cards_in(conn, report_id):
                    await enqueue(conn, card_refresh(card.chat_id, report_id, f"f{user_id}"))
        if added:
            self.wake()
        return added

    @classmethod
    async def _record(
        cls,
        conn: Connection,
        report: Report,
        actor: Actor,
        *,
        status: str,
        note: str | None = None,
        photo: PhotoRef | None = None,
        duplicate_of: int | None = None,
        new_cards: frozenset[int] = frozenset(),
    ) -> int:
        """Append the event that leaves ``report`` in ``status`` and enqueue what follows it (the
        followers' follow-ups, the cards' refresh): every change, note and move goes through here,
        so none of them can forget to tell anyone; a chat in ``new_cards`` gets a new card
        instead of a refresh. Returns the event id."""
        event_id = await report_rows.record_change_in(
            conn,
            report,
            new_status=status,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name,
            note=note,
            photo=photo,
            duplicate_of=duplicate_of,
            acknowledges=statuses.acknowledges(status),
            resolves=statuses.resolves(status),
        )
        await cls._announce(conn, report.id, event_id, actor, new_cards)
        return event_id

    @staticmethod
    async def _announce(
        conn: Connection,
        report_id: int,
        event_id: int,
        actor: Actor,
        new_cards: frozenset[int] = frozenset(),
    ) -> None:
        """Follow-ups for every follower (not the citizen who acted: they saw it happen) and a
        refresh of every alert card but those about to be replaced by a new one."""
        for user_id in await report_rows.followers_in(conn, report_id):
            if actor.kind == "citizen" and user_id == actor.id:
                continue
            await enqueue(conn, followup(user_id, report_id, event_id))
        for card in await cards_in(conn, report_id):
            if card.chat_id not in new_cards:
                await enqueue(conn, card_refresh(card.chat_id, report_id, f"e{event_id}"))
