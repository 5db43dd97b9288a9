"""The bot's questions to officers in a group ("why reject?", "the after photo?", "duplicate of
which report?"), asked as a message to reply to, and closed once answered, cancelled or
replaced; one left unanswered lapses after :data:`QUESTION_MINUTES`.

Why a record: the answer arrives as a separate update, maybe after a restart; the open question
(report, action, who was asked) says what the reply means. Why a lifetime: an officer who
pressed "✅ Selesai" and walked away must not have a photo posted tomorrow resolve the report,
nor block a colleague for good.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from bot.clock import Clock
from storage.questions import Question
from storage.sqltext import iso
from storage.store import Store

QUESTION_MINUTES = 30

REJECT = "reject"
DUPLICATE = "duplicate"
RESOLVE = "resolve"  # the after photo, before the report is resolved
RESOLVE_REASON = "resolve_reason"  # no photo: the reason, before the report is resolved
AFTER_PHOTO = "after_photo"  # asked after resolving, by versions before the photo came first
#: A hand-off's reason, before the report is handed over: ``handoff:agency:<id>`` or
#: ``handoff:area:<kelurahan code>`` (bot/domain/handoffs.py).
HANDOFF = "handoff"


def handoff_action(kind: str, key: str) -> str:
    return f"{HANDOFF}:{kind}:{key}"


def handoff_of(action: str) -> tuple[str, str] | None:
    """The (kind, key) a hand-off question is about, or None for any other question."""
    prefix, _, rest = action.partition(":")
    kind, _, key = rest.partition(":")
    if prefix != HANDOFF or kind not in ("agency", "area") or not key:
        return None
    return kind, key


#: The questions that end in closing the report: one officer at a time per report.
CLOSING = frozenset({REJECT, DUPLICATE, RESOLVE, RESOLVE_REASON})


class State(enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"
    CANCELLED = "cancelled"
    REPLACED = "replaced"
    EXPIRED = "expired"


def _oldest_alive(now: datetime) -> str:
    return iso(now - timedelta(minutes=QUESTION_MINUTES))


def state_of(question: Question, now: datetime) -> State:
    if question.closed_how is not None:
        return State(question.closed_how)
    if question.asked_at < _oldest_alive(now):
        return State.EXPIRED
    return State.OPEN


class Questions:
    """Asking, finding and closing questions, by the service clock (tests move it)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> str:
        return iso(self.clock.now())

    async def ask(
        self,
        chat_id: int,
        message_id: int,
        report_id: int,
        action: str,
        officer_id: int,
        officer_name: str | None,
    ) -> Question:
        question = Question(
            chat_id, message_id, report_id, action, officer_id, self.now(), officer_name
        )
        await self.store.questions.ask(question)
        return question

    async def at(self, chat_id: int, message_id: int) -> tuple[Question, State] | None:
        question = await self.store.questions.at(chat_id, message_id)
        if question is None:
            return None
        return question, state_of(question, self.clock.now())

    async def open_by_officer(self, chat_id: int, officer_id: int) -> list[Question]:
        since = _oldest_alive(self.clock.now())
        return await self.store.questions.open_by_officer(chat_id, officer_id, since)

    async def open_for(self, chat_id: int, officer_id: int, report_id: int) -> Question | None:
        """The officer's open question about a report in this chat (at most one)."""
        for question in await self.open_by_officer(chat_id, officer_id):
            if question.report_id == report_id:
                return question
        return None

    async def closing_by_another(self, report_id: int, officer_id: int) -> Question | None:
        """Someone else's open question that will close the report, in any of its groups."""
        since = _oldest_alive(self.clock.now())
        for question in await self.store.questions.open_on_report(report_id, since):
            if question.officer_id != officer_id and question.action in CLOSING:
                return question
        return None

    async def close(self, question: Question, how: State) -> bool:
        return await self.store.questions.close(
            question.chat_id, question.message_id, how.value, self.now()
        )

    async def set_action(self, question: Question, action: str) -> bool:
        return await self.store.questions.set_action(question.chat_id, question.message_id, action)
