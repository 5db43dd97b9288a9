"""Every inline button's callback data: built, matched and parsed by one object per kind.

Why one codec: Telegram hands back whatever string a button carried (at most 64 bytes), and anyone
can send any string. Each kind of button is declared once below as a template such as
``"status:{report}:{status}"`` over a small ``NamedTuple`` of typed fields; the same object builds
the data (checked against the 64-byte limit), gives its ``CallbackQueryHandler`` the pattern, and
parses a press back into fields (``None`` when it is not one of its presses). As aiogram's
``CallbackData`` or PTB's ``examples/inlinekeyboard2.py``: the button and its pattern never drift.

Old buttons: buttons sit in chats for days (alert cards in groups, surveys in private chats),
so after a deploy they still carry the terse data of earlier versions (``st:42:ack``,
``r:<token>:ok``).
Each kind keeps that format as its ``legacy`` template, with the old codes of a field mapped to
the new names, and parses it to the same fields; only the readable format is ever built.

Where a button may be pressed (``Shown``) and whether its press replaces its message's text are
part of its kind too: :class:`handlers.common.ForeignPress` refuses a press anywhere else.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, NamedTuple, TypeVar, get_type_hints

from bot.ids import parse_id

MAX_BYTES = 64  # Telegram's limit on callback_data

_FIELD = re.compile(r"\{(\w+)\}")


class Shown(enum.Enum):
    """Where the bot shows a kind of button, so where a press of it can be genuine."""

    PRIVATE = "private"
    GROUP = "group"
    ANYWHERE = "anywhere"


P = TypeVar("P", bound=tuple[Any, ...])


class _Template:
    """One format of a kind's data: its literal words, its fields in order, its regex."""

    def __init__(self, template: str) -> None:
        self.text = template
        self.fields = _FIELD.findall(template)
        pieces = _FIELD.split(template)
        regex = "".join("([^:]*)" if i % 2 else re.escape(piece) for i, piece in enumerate(pieces))
        self.regex = regex
        self.pattern = re.compile(f"^{regex}$")
        self.prefix = template.split(":", 1)[0]


class ButtonKind(Generic[P]):
    """One kind of button: builds its data, gives its pattern, parses its presses."""

    def __init__(
        self,
        fields: Callable[..., P],
        template: str,
        *,
        legacy: str | None = None,
        legacy_values: Mapping[str, Mapping[str, str]] | None = None,
        shown: Shown = Shown.ANYWHERE,
        replaces_text: bool = False,
    ) -> None:
        self._make = fields
        #: The NamedTuple of typed fields a press parses into.
        self.fields_type = fields
        self._types: dict[str, Any] = get_type_hints(fields)
        self.template = _Template(template)
        self.legacy = _Template(legacy) if legacy else None
        self._legacy_values = legacy_values or {}
        self.shown = shown
        self.replaces_text = replaces_text
        names = list(self._types)
        if self.template.fields != names or (self.legacy and set(self.legacy.fields) != set(names)):
            raise ValueError(f"{template}: fields must be {names}")
        regexes = [self.template.regex] + ([self.legacy.regex] if self.legacy else [])
        #: For ``CallbackQueryHandler(pattern=…)``: the new format or the old one, whole.
        self.pattern = re.compile("^(?:" + "|".join(f"(?:{r})" for r in regexes) + ")$")
        KINDS.append(self)

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The first words of its data, new and old: what ForeignPress looks at."""
        return (self.template.prefix,) + ((self.legacy.prefix,) if self.legacy else ())

    def data(self, fields: P) -> str:
        """The callback data for a button carrying ``fields``, in the readable format."""
        values = dict(zip(self._types, fields, strict=True))
        for name, value in values.items():
            if ":" in str(value):
                raise ValueError(f"{name}={value!r}: ':' separates fields")
        data = self.template.text.format(**values)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def parse(self, data: str | None) -> P | None:
        """A press's fields, from the new format or the legacy one; None when it is not one."""
        for template, is_legacy in self._formats():
            match = template.pattern.match(data or "")
            if match is not None:
                return self._fields(
                    dict(zip(template.fields, match.groups(), strict=True)), is_legacy
                )
        return None

    def _formats(self) -> Iterator[tuple[_Template, bool]]:
        yield self.template, False
        if self.legacy is not None:
            yield self.legacy, True

    def _fields(self, raw: dict[str, str], is_legacy: bool) -> P | None:
        values: list[object] = []
        for name, kind in self._types.items():
            text = raw[name]
            if is_legacy:
                text = self._legacy_values.get(name, {}).get(text, text)
            if kind is int:
                number = parse_id(text)
                if number is None:
                    return None
                values.append(number)
            else:
                values.append(text)
        return self._make(*values)


KINDS: list[ButtonKind[Any]] = []


def kind_of_prefix(data: str) -> ButtonKind[Any] | None:
    """The kind whose data starts with the same word as ``data`` (any kind, when several share
    it: they share where they are shown too, which is checked below)."""
    prefix = data.split(":", 1)[0]
    return _BY_PREFIX.get(prefix)


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


def _by_prefix() -> dict[str, ButtonKind[Any]]:
    """First word → a kind, checking that kinds sharing a first word are shown alike."""
    table: dict[str, ButtonKind[Any]] = {}
    for kind in KINDS:
        for prefix in kind.prefixes:
            other = table.setdefault(prefix, kind)
            if (other.shown, other.replaces_text) != (kind.shown, kind.replaces_text):
                raise ValueError(f"buttons starting {prefix!r} are shown differently")
    return table


_BY_PREFIX = _by_prefix()
