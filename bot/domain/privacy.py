"""Who may see a report and its reporter: the one owner of the three privacy modes.

Why three, as LAPOR! has them: a citizen reporting a neighbour's illegal dumping may want the
officers not to know who wrote (``anonymous``: published, the identity hidden from every officer,
admin and reader), and one reporting a brothel next door may want the report not published at
all (``confidential``: only the officers responsible for its area and the admins see it, marked
"🔒 Rahasia"). ``public`` (called "normal" to citizens) shows the reporter to the officers, so
they can ask. Every mode still reaches the reporter: follow-ups go by ``reports.citizen_id``,
which is kept whatever the mode and never shown where the mode hides it.

Stored in ``reports.visibility`` (the report's mode), ``citizens.default_visibility`` (the
citizen's default, chosen in /settings) and ``drafts.visibility`` (a choice made on the summary;
NULL until the citizen taps one). Storage gets :data:`PUBLISHED` as a parameter and names no mode
of its own.

Where the identity is hidden, it is not stored either: an anonymous report keeps no name or
username (``reports.reporter_name``/``reporter_username`` stay NULL), so no page, export or
command can show one by mistake. Admins reach an anonymous reporter through the bot (a note on
the report), never by reading an id.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from storage.categories import Category
from storage.drafts import Draft
from storage.store import Store


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"


#: The modes in the order citizens are offered them.
MODES = (Visibility.PUBLIC, Visibility.ANONYMOUS, Visibility.CONFIDENTIAL)
#: What Open311 lists and reads (public and anonymous; a confidential report is a 404 there).
PUBLISHED: tuple[str, ...] = (Visibility.PUBLIC.value, Visibility.ANONYMOUS.value)


def parse(value: str | None) -> Visibility | None:
    """A stored or pressed mode, or None for anything else (an old row, a forged press)."""
    try:
        return Visibility(value) if value else None
    except ValueError:
        return None


def of(value: str | None) -> Visibility:
    """A report's stored mode; anything unknown is read as the most careful one."""
    return parse(value) or Visibility.CONFIDENTIAL


def starting(category: Category | None, default: str | None) -> Visibility:
    """The mode a new report starts with: confidential in a category marked ``sensitive``
    (security and order: the reporter is often next door), else the citizen's default."""
    if category is not None and category.sensitive:
        return Visibility.CONFIDENTIAL
    return parse(default) or Visibility.PUBLIC


def shows_reporter(visibility: str) -> bool:
    """Whether staff may see who filed the report (name, username, profile link)."""
    return of(visibility) is not Visibility.ANONYMOUS


def published(visibility: str) -> bool:
    """Whether the public (Open311, neighbours nearby) may know the report exists."""
    return visibility in PUBLISHED


@dataclass(frozen=True)
class Reporter:
    """Who filed a report, as Telegram names them at that moment."""

    name: str | None
    username: str | None

    def kept(self, visibility: Visibility) -> Reporter:
        """What is stored: nothing of an anonymous reporter."""
        return self if shows_reporter(visibility) else Reporter(None, None)


async def of_draft(store: Store, draft: Draft, category: Category | None) -> Visibility:
    """The mode a draft would be filed with: the citizen's choice on its summary, else the
    category's rule, else the citizen's default."""
    chosen = parse(draft.visibility)
    if chosen is not None:
        return chosen
    citizen = await store.citizens.get(draft.user_id)
    return starting(category, citizen.default_visibility if citizen else None)


async def choose(store: Store, draft: Draft, visibility: Visibility) -> Draft:
    """The citizen's tap on the summary: this report's mode (their default stays)."""
    return await store.drafts.save(replace(draft, visibility=visibility.value))


async def set_default(store: Store, user_id: int, visibility: Visibility) -> None:
    """/settings: the mode the citizen's next reports start with (a sensitive category's still
    start confidential)."""
    await store.citizens.set_default_visibility(user_id, visibility.value)
