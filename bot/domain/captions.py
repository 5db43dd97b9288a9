"""A photo's caption during a report: the description, when there is none yet.

Why: people describe a photo as they send it (Telegram's "add a caption"), so a photo with a
caption is the whole report's content in one action. A caption that comes when a description
exists is added to it rather than lost; one too short to describe anything is said so; one over
the limit is kept aside for the citizen to cut (bot/domain/descriptions.py).
"""

from __future__ import annotations

import enum
from dataclasses import replace

from bot.domain import descriptions
from bot.domain.descriptions import Problem, normalise
from storage.drafts import Draft


class CaptionUse(enum.Enum):
    """What became of a photo's caption."""

    DESCRIPTION = "description"  # it is the description now
    ADDED = "added"  # added to the description given before
    TOO_SHORT = "too_short"  # too short to describe anything: the description is still asked
    TOO_LONG = "too_long"  # kept aside; the citizen is offered to cut it to the limit


def with_caption(draft: Draft, caption: str | None) -> tuple[Draft, CaptionUse | None]:
    """The draft with ``caption`` taken in, and what became of it (None: no caption, or one the
    description already holds, as an album's or a photo sent twice)."""
    text = (caption or "").strip()
    if not text:
        return draft, None
    if draft.description is None:
        problem = descriptions.problem(text)
        if problem is Problem.TOO_SHORT:
            return draft, CaptionUse.TOO_SHORT
        if problem is Problem.TOO_LONG:
            return replace(draft, long_description=text), CaptionUse.TOO_LONG
        return replace(draft, description=text, long_description=None), CaptionUse.DESCRIPTION
    if normalise(text) in normalise(draft.description):
        return draft, None
    combined = f"{draft.description}\n{text}"
    if descriptions.problem(combined) is Problem.TOO_LONG:
        return replace(draft, long_description=combined), CaptionUse.TOO_LONG
    return replace(draft, description=combined), CaptionUse.ADDED
