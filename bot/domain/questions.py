"""The bot's questions to officers in a group ("why reject?", "duplicate of which report?"),
asked as a message to reply to, and closed once answered.

Why a record: the answer arrives as a separate update, maybe after a restart; the open question
(report, action, who was asked) says what the reply means.
"""

from __future__ import annotations

from storage.alerts import PendingReply
from storage.store import Store


async def ask(store: Store, question: PendingReply) -> None:
    await store.alerts.ask(question)


async def answered(store: Store, question: PendingReply) -> None:
    await store.alerts.answered(question.chat_id, question.message_id)
