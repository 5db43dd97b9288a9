"""An admin's broadcast being composed, as a small state machine, and its creation.

Why a drafts table (storage/broadcast_drafts.py) instead of conversation state in memory: every
step is saved before the bot answers, so a restart resumes the admin exactly where they were.
The steps: ``text`` (HTML, optional photo; ``plain`` while broken HTML waits for the admin to
send it again or as typed, bot/domain/typed_html.py) → ``audience`` → ``area`` (for the area
audiences) → ``days`` (how recent a reporter counts, for area citizens) → ``confirm`` (the
recipient count; send now or schedule) → ``when`` (read by bot/domain/when.py). Changing the text
or the audience goes back; cancelling drops the draft. The handlers (handlers/broadcast*.py) parse
the admin's messages and presses, call one method here, and render; the preview, a real send,
is theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from bot.clock import Clock
from bot.domain.broadcasts import audience_for
from bot.domain.when import UNDERSTOOD, Reading, read_when
from bot.geo.areas import AreaIndex
from storage.broadcast_drafts import BroadcastDraft
from storage.broadcasts import Audience
from storage.groups import Scope
from storage.store import Store

TEXT, AUDIENCE, AREA, DAYS, CONFIRM, WHEN = "text", "audience", "area", "days", "confirm", "when"
#: The admin's HTML was broken: waiting for a new text, or for "send it as typed".
PLAIN = "plain"
MAX_TEXT = 4096  # Telegram's limit for a message
MAX_CAPTION = 1024  # and for a photo's caption
AUDIENCES = ("citizens", "area_citizens", "groups", "area_groups")
AREA_AUDIENCES = ("area_citizens", "area_groups")
DAY_CHOICES = (30, 90, 365)
DEFAULT_DAYS = 90
#: The steps each move may be made from; a press from any other step is a stale button.
MOVES_FROM = {
    "audience": (AUDIENCE, CONFIRM, DAYS, AREA),
    "area": (AREA,),
    "days": (DAYS,),
    "send": (CONFIRM,),
    "schedule": (CONFIRM,),
    "plain": (PLAIN,),
}


def text_limit(*, photo: bool) -> int:
    """How long the announcement may be: a caption is shorter than a message."""
    return MAX_CAPTION if photo else MAX_TEXT


def may(draft: BroadcastDraft, move: str) -> bool:
    """Whether ``move`` (a key of :data:`MOVES_FROM`) can be made from the draft's step."""
    return draft.step in MOVES_FROM.get(move, ())


def audience_of(draft: BroadcastDraft) -> Audience:
    return Audience.from_json(draft.audience or "{}")


@dataclass(frozen=True)
class Confirmation:
    """What the admin is asked to confirm: the audience and how many it reaches now."""

    audience: Audience
    count: int


class BroadcastComposer:
    """The draft's moves. Each saves the draft before returning, so the answer the admin then
    sees always matches what is stored. Changes are made with ``dataclasses.replace``, which
    mypy checks field by field."""

    def __init__(
        self, store: Store, areas: AreaIndex, clock: Clock, tz: tzinfo, wake: Callable[[], None]
    ) -> None:
        self.store = store
        self.areas = areas
        self.clock = clock
        self.tz = tz
        self.wake = wake

    async def draft(self, user_id: int) -> BroadcastDraft | None:
        return await self.store.broadcast_drafts.get(user_id)

    async def start(self, user_id: int) -> None:
        """A new draft (any earlier one is replaced), asking for the text."""
        await self.store.broadcast_drafts.save(BroadcastDraft(user_id, TEXT))

    async def set_text(self, draft: BroadcastDraft, html: str, photo_file_id: str | None) -> None:
        """The text (already previewed, so Telegram accepts its HTML); next, the audience."""
        await self.store.broadcast_drafts.save(
            replace(draft, step=AUDIENCE, text=html, photo_file_id=photo_file_id)
        )

    async def hold_text(self, draft: BroadcastDraft, html: str, photo_file_id: str | None) -> None:
        """The escaped text of broken HTML, kept until the admin chooses to send it as typed
        (:meth:`set_text` then) or sends a new text."""
        await self.store.broadcast_drafts.save(
            replace(draft, step=PLAIN, text=html, photo_file_id=photo_file_id)
        )

    async def edit_text(self, draft: BroadcastDraft) -> None:
        await self.store.broadcast_drafts.save(replace(draft, step=TEXT))

    async def choose_audience(self, draft: BroadcastDraft, kind: str) -> str | Confirmation:
        """An audience kind: :data:`AUDIENCE` (ask again, unknown kind), :data:`AREA` (ask which
        area), or the confirmation for the audiences without an area."""
        if kind not in AUDIENCES:
            await self.store.broadcast_drafts.save(replace(draft, step=AUDIENCE))
            return AUDIENCE
        if kind in AREA_AUDIENCES:
            await self.store.broadcast_drafts.save(
                replace(draft, step=AREA, audience=Audience(kind=kind).to_json())
            )
            return AREA
        return await self._confirm(replace(draft, audience=Audience(kind=kind).to_json()))

    async def choose_area(self, draft: BroadcastDraft, scope: Scope) -> str | Confirmation:
        """The area of an area audience: :data:`DAYS` (ask how recent, for citizens) or the
        confirmation."""
        kind = Audience.from_json(draft.audience or '{"kind": "citizens"}').kind
        audience = audience_for(self.areas, kind, scope)
        if kind == "area_citizens":
            await self.store.broadcast_drafts.save(
                replace(draft, step=DAYS, audience=audience.to_json())
            )
            return DAYS
        return await self._confirm(replace(draft, audience=audience.to_json()))

    async def choose_days(self, draft: BroadcastDraft, days: int) -> Confirmation:
        """Citizens who reported in the area within ``days`` (one of :data:`DAY_CHOICES`)."""
        audience = audience_of(draft)
        chosen = days if days in DAY_CHOICES else DEFAULT_DAYS
        changed = audience_for(self.areas, audience.kind, audience.scope, chosen)
        return await self._confirm(replace(draft, audience=changed.to_json()))

    async def _confirm(self, draft: BroadcastDraft) -> Confirmation:
        audience = audience_of(draft)
        count = await self.store.broadcasts.count_recipients(audience)
        await self.store.broadcast_drafts.save(replace(draft, step=CONFIRM))
        return Confirmation(audience, count)

    async def send_now(self, draft: BroadcastDraft) -> int:
        """The broadcast, running at once; the draft is done."""
        broadcast_id = await self._create(draft, self.clock.now(), running=True)
        await self.store.broadcast_drafts.delete(draft.user_id)
        return broadcast_id

    async def ask_when(self, draft: BroadcastDraft) -> None:
        await self.store.broadcast_drafts.save(replace(draft, step=WHEN))

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.tz)

    async def schedule(self, draft: BroadcastDraft, text: str) -> tuple[int, datetime] | Reading:
        """The broadcast at the local time the admin wrote (its id and that time), or the
        :class:`Reading` that says why not (not understood, passed, no hour); the draft then
        stays at its step, so the admin just writes the time again."""
        reading = read_when(text, self.local_now())
        if reading.kind != UNDERSTOOD or reading.moment is None:
            return reading
        broadcast_id = await self._create(draft, reading.moment, running=False)
        await self.store.broadcast_drafts.delete(draft.user_id)
        return broadcast_id, reading.moment

    async def cancel(self, user_id: int) -> None:
        await self.store.broadcast_drafts.delete(user_id)

    async def _create(self, draft: BroadcastDraft, when: datetime, *, running: bool) -> int:
        audience = audience_of(draft)
        total = await self.store.broadcasts.count_recipients(audience)
        broadcast_id = await self.store.broadcasts.create(
            author_id=draft.user_id,
            text=draft.text or "",
            photo_file_id=draft.photo_file_id,
            audience=audience,
            scheduled_at=when,
            total=total,
            running=running,
            progress_chat_id=draft.user_id,
        )
        self.wake()
        return broadcast_id
