"""A reporter adds a text or a photo to their report after filing it, as FixMyStreet's updates
do: by replying to one of the bot's messages about the report, or with "➕ Add information".

Who may add, and to what:

- **The reporter only.** Followers are neighbours who tapped "same problem": they never see the
  reporter's words (``/status`` shows them the public part), and officers read an addition as
  the reporter's. A follower with more to say files a report of their own.
- **While officers can still act on it** (new, acknowledged, in progress, reopened). A resolved
  report is answered with "not fixed?" (that reopens it and takes a note); a closed, rejected or
  duplicate one is finished, and the citizen is told to make a new report.

Limits, so that a report stays readable and a group is not flooded: a text between the
description's limits (:data:`bot.domain.reporting.MIN_DESCRIPTION`–``MAX_DESCRIPTION``), at
most :data:`MAX_ADDED_PHOTOS` photos added per report, at most :data:`MAX_PER_HOUR` additions
per report an hour (an album counts once).

Each addition is an event in the report's history (status unchanged), its card is refreshed,
and every group holding the card gets a short notice (``OutboxKind.CITIZEN_UPDATE``), all in
one transaction. Followers are not sent it: it is for the officers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain import statuses
from bot.domain.cases import card_refresh
from bot.domain.reporting import DescriptionProblem, ReportingService
from storage import citizen_updates as update_rows
from storage import report_rows
from storage.alerts import cards_in
from storage.backend import Connection
from storage.citizen_updates import NewUpdate
from storage.outbox import PRIORITY_ALERT, OutboxKind, OutboxMessage, enqueue
from storage.photos import PhotoRef
from storage.reports import Report
from storage.sqltext import iso
from storage.store import Store

MAX_ADDED_PHOTOS = 5
MAX_PER_HOUR = 5
RATE_WINDOW = timedelta(hours=1)
#: How long the "send it now" prompt of ➕ Add information waits for the citizen's message.
PROMPT_VALID_FOR = timedelta(minutes=30)
#: An album's photos arrive as separate messages within moments: its group notice waits this
#: long so that it shows them together.
ALBUM_SETTLE_SECONDS = 2.0
#: The kind of the open question (``citizen_prompts``) after ➕ Add information.
ADD_INFO = "add_info"


class Outcome(enum.Enum):
    ADDED = "added"  # a new addition (or the first photo of an album)
    JOINED = "joined"  # a later photo of an album already added: no second answer
    ALREADY = "already"  # this very message was added before (an update replayed)
    NOT_FOUND = "not_found"
    NOT_REPORTER = "not_reporter"
    RESOLVED = "resolved"  # officers say it is done: "not fixed?" instead
    FINISHED = "finished"  # closed or rejected
    DUPLICATE = "duplicate"
    EMPTY = "empty"  # nothing to add: a sticker, a voice note, a location…
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    SAME_PHOTO = "same_photo"
    PHOTOS_FULL = "photos_full"
    RATE_LIMITED = "rate_limited"


#: Refusals that are about the report or the person, not about what was sent.
REFUSALS = frozenset(
    {Outcome.NOT_FOUND, Outcome.NOT_REPORTER, Outcome.RESOLVED, Outcome.FINISHED, Outcome.DUPLICATE}
)


@dataclass(frozen=True)
class Addition:
    """What the citizen sent, already read from the message."""

    chat_id: int
    message_id: int
    text: str | None
    photo: PhotoRef | None
    media_group_id: str | None = None


@dataclass(frozen=True)
class AddResult:
    outcome: Outcome
    report: Report | None = None
    update_id: int | None = None
    #: The album already had photos added (its answer was given with the first).
    album_started: bool = False
    #: For RATE_LIMITED: when the next addition is possible.
    retry_at: datetime | None = None


def refusal(report: Report | None, user_id: int) -> Outcome | None:
    """Why ``user_id`` may not add to ``report`` (None: they may). Asked on the button press and
    again on every message, since anyone can send any callback data or reply to anything."""
    if report is None:
        return Outcome.NOT_FOUND
    if report.citizen_id != user_id:
        return Outcome.NOT_REPORTER
    if report.status in statuses.OPEN:
        return None
    if report.status in statuses.AWAITING_CONFIRMATION:
        return Outcome.RESOLVED
    if report.status == statuses.DUPLICATE:
        return Outcome.DUPLICATE
    return Outcome.FINISHED


def _text_problem(addition: Addition) -> Outcome | None:
    """A text alone is held to the description's limits; a photo's caption only to its maximum
    (a photo says enough on its own)."""
    text = addition.text
    if text is None:
        return None if addition.photo is not None else Outcome.EMPTY
    problem = ReportingService.check_description(text)
    if problem is DescriptionProblem.TOO_LONG:
        return Outcome.TOO_LONG
    if problem is DescriptionProblem.TOO_SHORT and addition.photo is None:
        return Outcome.TOO_SHORT
    return None


def notice(chat_id: int, report_id: int, update_id: int, *, album: bool) -> OutboxMessage:
    """A group's notice of an addition (an album's: once, after its photos have arrived)."""
    return OutboxMessage(
        chat_id=chat_id,
        kind=OutboxKind.CITIZEN_UPDATE,
        payload={"report_id": report_id, "update_id": update_id},
        dedupe_key=f"citizen_update:{update_id}:{chat_id}",
        priority=PRIORITY_ALERT,
        report_id=report_id,
        delay_seconds=ALBUM_SETTLE_SECONDS if album else 0,
    )


def later_notice(chat_id: int, report_id: int, update_id: int, after_id: int) -> OutboxMessage:
    """The album photos that arrived after the group's notice went out."""
    return OutboxMessage(
        chat_id=chat_id,
        kind=OutboxKind.CITIZEN_UPDATE,
        payload={"report_id": report_id, "update_id": update_id, "after_id": after_id},
        dedupe_key=f"citizen_update:{update_id}:{chat_id}:after{after_id}",
        priority=PRIORITY_ALERT,
        report_id=report_id,
    )


class AdditionService:
    def __init__(self, store: Store, clock: Clock, wake: Callable[[float], None]) -> None:
        self.store = store
        self.clock = clock
        self.wake = wake

    async def add(self, report_id: int, citizen_id: int, addition: Addition) -> AddResult:
        """Add what the citizen sent to the report, or say why not; nothing is half-written."""
        text = (addition.text or "").strip() or None
        addition = replace(addition, text=text)
        async with self.store.db.transaction() as conn:
            report = await report_rows.get_in(conn, report_id)
            if await update_rows.by_message_in(conn, addition.chat_id, addition.message_id):
                return AddResult(Outcome.ALREADY, report)
            refused = refusal(report, citizen_id)
            if refused is not None:
                return AddResult(refused, report)
            assert report is not None
            album = None
            if addition.media_group_id is not None:
                album = await update_rows.album_start_in(conn, citizen_id, addition.media_group_id)
                if album is not None and album.report_id != report.id:
                    album = None  # the same album cannot be in two reports: a new batch
            started = album is not None
            problem = _text_problem(addition)
            if problem is None and addition.photo is not None:
                problem = await self._photo_problem(conn, report.id, addition.photo)
            if problem is not None:
                return AddResult(problem, report, album_started=started)
            if album is None:
                retry_at = await self._retry_at(conn, report.id, citizen_id)
                if retry_at is not None:
                    return AddResult(Outcome.RATE_LIMITED, report, retry_at=retry_at)
            event_id = await report_rows.record_change_in(
                conn,
                report,
                new_status=report.status,
                actor_kind="citizen",
                actor_id=citizen_id,
                actor_name=None,
                note=text,
                photo=addition.photo,
                photo_role="update",
                acknowledges=False,  # an addition neither acknowledges nor resolves anything
                resolves=False,
            )
            update_id = await update_rows.add_in(
                conn,
                NewUpdate(
                    report.id,
                    citizen_id,
                    addition.chat_id,
                    addition.message_id,
                    text,
                    addition.photo,
                    addition.media_group_id,
                ),
                event_id,
            )
            batch = album.id if album is not None else update_id
            for card in await cards_in(conn, report.id):
                await enqueue(conn, card_refresh(card.chat_id, report.id, f"u{batch}"))
                album_notice = addition.media_group_id is not None
                await enqueue(conn, notice(card.chat_id, report.id, batch, album=album_notice))
        self.wake(0)  # the card's refresh and a text's notice
        if addition.media_group_id is not None:
            self.wake(ALBUM_SETTLE_SECONDS)  # the album's notice, once its photos are in
        return AddResult(
            Outcome.JOINED if started else Outcome.ADDED,
            report,
            update_id,
            album_started=started,
        )

    @staticmethod
    async def _photo_problem(conn: Connection, report_id: int, photo: PhotoRef) -> Outcome | None:
        if await update_rows.has_photo_in(conn, report_id, photo.file_unique_id):
            return Outcome.SAME_PHOTO
        if await update_rows.photo_count_in(conn, report_id) >= MAX_ADDED_PHOTOS:
            return Outcome.PHOTOS_FULL
        return None

    async def _retry_at(self, conn: Connection, report_id: int, citizen_id: int) -> datetime | None:
        """When the hourly limit lets this citizen add to this report again (None: now)."""
        since = iso(self.clock.now() - RATE_WINDOW)
        times = await update_rows.batch_times_in(conn, report_id, citizen_id, since)
        if len(times) < MAX_PER_HOUR:
            return None
        return datetime.fromisoformat(times[-MAX_PER_HOUR]) + RATE_WINDOW

    # -- the prompt of ➕ Add information ----------------------------------------------------

    async def ask(self, user_id: int, report_id: int) -> None:
        """The citizen's next text or photo is for this report (their one open question)."""
        await self.store.surveys.ask(user_id, ADD_INFO, report_id)

    async def asked(self, user_id: int) -> int | None:
        """The report the citizen was asked to send something for, while the prompt is valid."""
        prompt = await self.store.surveys.prompt(user_id)
        if prompt is None or prompt.kind != ADD_INFO:
            return None
        lapsed = self.clock.now() - datetime.fromisoformat(prompt.created_at) > PROMPT_VALID_FOR
        # A report filed since the prompt was the citizen's answer to something else.
        since = await self.store.reports.by_citizen_since(user_id, prompt.created_at)
        filed = any(report.id > prompt.report_id for report in since)  # times are to the second
        if lapsed or filed:
            await self.store.surveys.answered(user_id)  # from here on, just a message
            return None
        return prompt.report_id

    async def close_prompt(self, user_id: int) -> int | None:
        """Drop the open ➕ prompt (answered or cancelled); the report it was for, if any."""
        prompt = await self.store.surveys.prompt(user_id)
        if prompt is None or prompt.kind != ADD_INFO:
            return None
        await self.store.surveys.answered(user_id)
        return prompt.report_id

    # -- which bot messages are about which report ---------------------------------------------

    async def remember(self, chat_id: int, message_id: int, report_id: int) -> None:
        """A bot message about ``report_id``: a reply to it adds to that report."""
        await self.store.report_messages.remember(chat_id, message_id, report_id)

    async def report_of_message(self, chat_id: int, message_id: int) -> int | None:
        return await self.store.report_messages.report_at(chat_id, message_id)

    async def report_of_album(self, citizen_id: int, media_group_id: str) -> int | None:
        return await self.store.citizen_updates.album_report(citizen_id, media_group_id)
