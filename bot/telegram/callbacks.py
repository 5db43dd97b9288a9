"""Every inline button's callback data: each kind declared once, here, over the codec.

Why one place: a kind of button (its template, the typed fields it carries, its old terse format
and where it may be pressed) is declared exactly once below, and the keyboards that build it, the
``CallbackQueryHandler`` that matches it and the handler that parses it all take that one object.
How a kind builds, matches and parses its data is bot/telegram/callback_codec.py, whose names
(:class:`ButtonKind`, :class:`Shown`, ``KINDS``, ``MAX_BYTES``) are re-exported here so that
``callbacks.X`` is the one name for everything about buttons.

Where a button may be pressed (``Shown``) and whether its press replaces its message's text are
part of its kind too: :class:`handlers.common.ForeignPress` refuses a press anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from bot.telegram.callback_codec import KINDS as KINDS
from bot.telegram.callback_codec import MAX_BYTES as MAX_BYTES
from bot.telegram.callback_codec import ButtonKind as ButtonKind
from bot.telegram.callback_codec import P, prefix_table
from bot.telegram.callback_codec import Shown as Shown

# --- the fields buttons carry -------------------------------------------------------------------


class ReportRef(NamedTuple):
    report: int


class Status(NamedTuple):
    """An alert card's status button: the report and the status it moves it to."""

    report: int
    status: str


class Answer(NamedTuple):
    report: int
    answer: str


class Original(NamedTuple):
    """A duplicate's confirmation: the report and the original it is a duplicate of."""

    report: int
    original: int


class Stars(NamedTuple):
    report: int
    stars: str


class Draft(NamedTuple):
    """A report-conversation button: the draft's token, so a press from an older draft is
    recognised as stale rather than obeyed."""

    token: str


class DraftChoice(NamedTuple):
    token: str
    choice: str


class DraftReport(NamedTuple):
    token: str
    report: int


class Word(NamedTuple):
    word: str


class Page(NamedTuple):
    page: int


class Area(NamedTuple):
    kind: str
    key: str


class OfficerRow(NamedTuple):
    """An officer row by rowid and user id together: a stale list cannot remove someone else."""

    rowid: int
    user: int


class Number(NamedTuple):
    number: int


class AgencyStep(NamedTuple):
    agency: int
    step: str


class AgencyArea(NamedTuple):
    """An area button on an agency's card or picker: ``add`` or ``drop`` it."""

    agency: int
    action: str
    kind: str
    key: str


class StatsDetails(NamedTuple):
    """/stats's details button: the period's key (``30d``, ``2026-11``...) and who asked."""

    period: str
    user: int


# --- alert cards (groups, and the admin chat) ----------------------------------------------------

#: The old short action codes on alert cards, by the status each one set.
LEGACY_STATUS_CODES = {
    "ack": "acknowledged",
    "prog": "in_progress",
    "res": "resolved",
    "rej": "rejected",
    "dup": "duplicate",
}
STATUS = ButtonKind(
    Status,
    "status:{report}:{status}",
    legacy="st:{report}:{status}",
    legacy_values={"status": LEGACY_STATUS_CODES},
)

#: The buttons on the bot's questions to an officer: ``cancel``, and ``skip`` (resolve without
#: an after photo, giving a reason) where the category allows it. Only the asked officer's count.
QUESTION = ButtonKind(Answer, "question:{report}:{answer}", shown=Shown.GROUP, replaces_text=True)
#: "↪️ Serahkan" on a card (``ask``), then the picker's choices: an agency (``a<id>``), the
#: report's kelurahan (``home``), ``cancel`` (handlers/groups/handoff.py).
HANDOFF = ButtonKind(Answer, "handoff:{report}:{answer}", shown=Shown.GROUP)
#: "Yes, #1042 is a duplicate of #1033", once the officer has seen what #1033 is.
DUPLICATE_OF = ButtonKind(
    Original, "duplicate-of:{report}:{original}", shown=Shown.GROUP, replaces_text=True
)

# --- the report conversation (private chats) ------------------------------------------------------


def _draft(fields: Callable[..., P], action: str, legacy: str, arg: str = "") -> ButtonKind[P]:
    tail = f":{{{arg}}}" if arg else ""
    return ButtonKind(
        fields,
        f"draft:{{token}}:{action}{tail}",
        legacy=f"r:{{token}}:{legacy}{tail}",
        shown=Shown.PRIVATE,
    )


DRAFT_CATEGORY = _draft(DraftChoice, "category", "cat", "choice")
DRAFT_CANCEL = _draft(Draft, "cancel", "x")
DRAFT_CONTINUE = _draft(Draft, "continue", "cont")
DRAFT_RESTART = _draft(Draft, "restart", "new")
DRAFT_RESTORE = _draft(Draft, "restore", "rs")
DRAFT_OFFER_YES = _draft(Draft, "offer-yes", "qy")
DRAFT_OFFER_NO = _draft(Draft, "offer-no", "qn")
DRAFT_CONFIRM = _draft(Draft, "confirm", "ok")
DRAFT_EDIT = _draft(Draft, "edit", "ed")
DRAFT_EDIT_FIELD = _draft(DraftChoice, "change", "ef", "choice")
DRAFT_SUMMARY = _draft(Draft, "summary", "eb")
DRAFT_FOLLOW = _draft(DraftReport, "follow", "fol", "report")
DRAFT_DIFFERENT = _draft(Draft, "different", "dif")
DRAFT_ADDRESS_OK = _draft(Draft, "address-ok", "here")

# --- the citizen's other buttons (private chats) --------------------------------------------------

MENU = ButtonKind(
    Word,
    "menu:{word}",
    legacy="m:{word}",
    legacy_values={"word": {"lang": "language"}},
    shown=Shown.PRIVATE,
)
LANGUAGE = ButtonKind(
    Word, "language:{word}", legacy="lang:{word}", shown=Shown.PRIVATE, replaces_text=True
)
#: /settings: the default privacy mode of the citizen's next reports (bot/domain/privacy.py).
PRIVACY = ButtonKind(Word, "privacy:{word}", shown=Shown.PRIVATE, replaces_text=True)
MY_REPORTS_PAGE = ButtonKind(
    Page, "my-reports:{page}", legacy="my:{page}", shown=Shown.PRIVATE, replaces_text=True
)
VIEW_REPORT = ButtonKind(ReportRef, "view:{report}", legacy="vw:{report}", shown=Shown.PRIVATE)
SURVEY = ButtonKind(
    Answer,
    "survey:{report}:{answer}",
    legacy="sv:{report}:{answer}",
    legacy_values={"answer": {"yes": "fixed", "no": "not-fixed"}},
    shown=Shown.PRIVATE,
)
RATING = ButtonKind(
    Stars,
    "rating:{report}:{stars}",
    legacy="rt:{report}:{stars}",
    shown=Shown.PRIVATE,
    replaces_text=True,
)
#: "➕ Add information" on follow-ups and /status (``add``), and its prompt's Cancel (``cancel``).
ADD_INFO = ButtonKind(Answer, "add-info:{report}:{answer}", shown=Shown.PRIVATE)
#: "🚫 Withdraw report" on /status while it is new (``ask``), a reason (``why-<reason>``), the
#: confirmation (``yes-<reason>``) and Keep it (``keep``): handlers/withdraw.py.
WITHDRAW = ButtonKind(Answer, "withdraw:{report}:{answer}", shown=Shown.PRIVATE)
#: "📎 What I sent" on the reporter's /status: their description, photos and additions.
SENT = ButtonKind(ReportRef, "sent:{report}", shown=Shown.PRIVATE)

# --- admins: area pickers, officers and invites --------------------------------------------------

#: How an area's kind is written in old button data.
LEGACY_AREA_KINDS = {"kel": "kelurahan", "kec": "kecamatan", "kota": "kota"}
LINK_AREA = ButtonKind(
    Area,
    "link:{kind}:{key}",
    legacy="lk:{kind}:{key}",
    legacy_values={"kind": LEGACY_AREA_KINDS},
    shown=Shown.GROUP,
)
INVITE_AREA = ButtonKind(
    Area,
    "invite:{kind}:{key}",
    legacy="iv:{kind}:{key}",
    legacy_values={"kind": LEGACY_AREA_KINDS},
    shown=Shown.PRIVATE,
)
OFFICERS_PAGE = ButtonKind(
    Page, "officers:page:{page}", legacy="of:pg:{page}", shown=Shown.PRIVATE, replaces_text=True
)
OFFICER_REMOVE = ButtonKind(
    OfficerRow,
    "officers:remove:{rowid}:{user}",
    legacy="of:rm:{rowid}:{user}",
    shown=Shown.PRIVATE,
    replaces_text=True,
)
OFFICER_REMOVE_CONFIRMED = ButtonKind(
    OfficerRow,
    "officers:removed:{rowid}:{user}",
    legacy="of:ok:{rowid}:{user}",
    shown=Shown.PRIVATE,
    replaces_text=True,
)
INVITES_PAGE = ButtonKind(
    Page, "invites:page:{page}", legacy="in:pg:{page}", shown=Shown.PRIVATE, replaces_text=True
)
INVITE_REVOKE = ButtonKind(
    Number,
    "invites:revoke:{number}",
    legacy="in:rv:{number}",
    shown=Shown.PRIVATE,
    replaces_text=True,
)

#: /agencies (handlers/agency_admin.py): the list's pages; an agency's card, its steps ``show``,
#: ``on-<category>``/``off-<category>`` (what the button showed, so a stale one is harmless),
#: ``area`` (asks), ``all``, ``remove``, ``removed`` (confirmed), ``cancel``; its areas.
AGENCIES_PAGE = ButtonKind(Page, "agencies:{page}", shown=Shown.PRIVATE, replaces_text=True)
AGENCY_ADMIN = ButtonKind(
    AgencyStep, "agency:{agency}:{step}", shown=Shown.PRIVATE, replaces_text=True
)
AGENCY_AREA = ButtonKind(
    AgencyArea,
    "agency-at:{agency}:{action}:{kind}:{key}",
    shown=Shown.PRIVATE,
    replaces_text=True,
)

# --- broadcasts (admins) -----------------------------------------------------------------------

#: ``broadcast:cancel``, ``…:now``, ``…:schedule``, ``…:edit``, ``…:plain`` (send broken HTML
#: as typed): the composer's one-word steps.
BROADCAST_STEP = ButtonKind(
    Word, "broadcast:{word}", legacy="bc:{word}", legacy_values={"word": {"sched": "schedule"}}
)
BROADCAST_AUDIENCE = ButtonKind(Word, "broadcast:audience:{word}", legacy="bc:aud:{word}")
BROADCAST_AREA = ButtonKind(
    Area,
    "broadcast:area:{kind}:{key}",
    legacy="bc:sc:{kind}:{key}",
    legacy_values={"kind": LEGACY_AREA_KINDS},
)
BROADCAST_DAYS = ButtonKind(Number, "broadcast:days:{number}", legacy="bc:days:{number}")
BROADCAST_WITHDRAW = ButtonKind(Number, "broadcast:withdraw:{number}", legacy="bc:x:{number}")

# --- statistics (admins, officers, group admins) -------------------------------------------------

STATS_DETAILS = ButtonKind(StatsDetails, "stats:{period}:{user}")


# --- telling a press's kind by its first word -------------------------------------------------

_BY_PREFIX = prefix_table(KINDS)


def kind_of_prefix(data: str) -> ButtonKind[Any] | None:
    """The kind whose data starts with the same word as ``data`` (any kind, when several share
    it: they share where they are shown too, which :func:`prefix_table` checked)."""
    prefix = data.split(":", 1)[0]
    return _BY_PREFIX.get(prefix)
