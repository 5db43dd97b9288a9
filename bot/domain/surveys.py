"""The reporter's answer to "is it fixed?", and the note a reopened report may get.

Why here: the survey's record (fixed or not, the stars, the open "what is still wrong?"
question) is kept by these functions alone; the Telegram handler only reads the press.
"""

from __future__ import annotations

from storage.store import Store

#: The open question after "not fixed": the reporter's next text or photo is a note for officers.
REOPEN_NOTE = "reopen_note"


async def fixed(store: Store, report_id: int, stars: int | None = None) -> None:
    """The reporter says it is fixed (and later, how well: 1–5 stars)."""
    await store.surveys.rate(report_id, fixed=True, stars=stars)


async def not_fixed(store: Store, user_id: int, report_id: int) -> None:
    """The reporter says it is not fixed: recorded, and their next message is asked for."""
    await store.surveys.rate(report_id, fixed=False)
    await store.surveys.ask(user_id, REOPEN_NOTE, report_id)


async def question_closed(store: Store, user_id: int) -> None:
    """The reporter answered the open question, skipped it, or let it lapse."""
    await store.surveys.answered(user_id)
