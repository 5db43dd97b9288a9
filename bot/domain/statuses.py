"""A report's statuses, the moves between them, who may make which move, and the named sets.

Why one module: the lifecycle was written again wherever it was needed (the group buttons, the
staff pages, the HTTP update API, the case CLI, the SLA sweeps, statistics, Open311), and copies
drift. Every reader now asks here, as FixMyStreet's ``Problem::visible_states()`` and
``fixed_states()`` do. Storage may not import this module: it receives the sets it filters on as
parameters (``statuses=OPEN``, ``waiting=WAITING``…).

A report starts as ``new``: the schema's default for ``reports.status`` (migration 0001), which
``NEW`` names. While it is still ``new`` (no officer has acknowledged it) its reporter may
withdraw it (``withdrawn``, issue 18): a final status, Open311's "closed", that no one else may
set; once an officer has acted, the case is theirs to close or reject.
"""

from __future__ import annotations

from collections.abc import Mapping

NEW = "new"
ACKNOWLEDGED = "acknowledged"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
CLOSED = "closed"
REJECTED = "rejected"
DUPLICATE = "duplicate"
REOPENED = "reopened"
WITHDRAWN = "withdrawn"

#: Every status, in the lifecycle's order (the order lists and refusals name them in).
STATUSES: tuple[str, ...] = (
    NEW,
    ACKNOWLEDGED,
    IN_PROGRESS,
    RESOLVED,
    CLOSED,
    REJECTED,
    DUPLICATE,
    REOPENED,
    WITHDRAWN,
)

#: What an officer may do to a report: the group buttons and the staff page's form.
OFFICER_MOVES: frozenset[str] = frozenset(
    {ACKNOWLEDGED, IN_PROGRESS, RESOLVED, REJECTED, DUPLICATE}
)

#: The lifecycle: which statuses a report may go to from each. Final statuses go nowhere.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    NEW: OFFICER_MOVES | {WITHDRAWN},
    ACKNOWLEDGED: OFFICER_MOVES - {ACKNOWLEDGED},
    IN_PROGRESS: frozenset({RESOLVED, REJECTED, DUPLICATE}),
    REOPENED: OFFICER_MOVES,
    RESOLVED: frozenset({CLOSED, REOPENED}),
    CLOSED: frozenset(),
    REJECTED: frozenset(),
    DUPLICATE: frozenset(),
    WITHDRAWN: frozenset(),
}

#: Who may make which move, by ``Actor.kind``. An officer, and an admin acting as one in a group
#: or on the staff pages, works the case; the reporter answers the survey (fixed: closed; not
#: fixed: reopened) and may withdraw a new one (the domain checks it is theirs); the scheduler
#: closes unanswered resolved reports; an agency (the HTTP update API, and the operator's case
#: CLI, which acts as an agency) may make any move of the lifecycle but the reporter's withdrawal.
_MOVES_BY_ACTOR: Mapping[str, frozenset[str]] = {
    "officer": OFFICER_MOVES,
    "admin": OFFICER_MOVES,
    "citizen": frozenset({CLOSED, REOPENED, WITHDRAWN}),
    "system": frozenset({CLOSED}),
    "agency": frozenset(STATUSES) - {WITHDRAWN},
}

#: Still being worked on: Open311's "open", nearby candidates for "is it the same problem?".
OPEN: tuple[str, ...] = (NEW, ACKNOWLEDGED, IN_PROGRESS, REOPENED)
#: Done, one way or another: Open311's "closed".
DONE: tuple[str, ...] = tuple(status for status in STATUSES if status not in OPEN)
#: Waiting for an officer to acknowledge: what the SLA clock, its reminders and "overdue" count.
WAITING: tuple[str, ...] = (NEW, REOPENED)
#: Resolved by the officers, waiting for the reporter to confirm: the survey asks these, and the
#: scheduler closes them when no answer comes.
AWAITING_CONFIRMATION: tuple[str, ...] = (RESOLVED,)
#: Handled, so the reporter may rate it (the survey's stars).
RATEABLE: tuple[str, ...] = (RESOLVED, CLOSED)
#: No longer a problem anyone works on, so never the original of a duplicate: the reporter would
#: be handed to a report that tells them nothing more (a duplicate's own original is the one).
NOT_AN_ORIGINAL: tuple[str, ...] = (CLOSED, REJECTED, DUPLICATE, WITHDRAWN)
#: What the reporter may still withdraw: not yet acknowledged by anyone.
WITHDRAWABLE: tuple[str, ...] = (NEW,)
#: Open311's two words and the statuses each stands for.
OPEN311: Mapping[str, tuple[str, ...]] = {"open": OPEN, "closed": DONE}
#: What an agency may ask for over the HTTP update API: every status a report can move to.
SETTABLE: tuple[str, ...] = tuple(status for status in STATUSES if status not in (NEW, WITHDRAWN))


def moves(status: str, actor_kind: str) -> tuple[str, ...]:
    """The statuses an actor of this kind may move a report in ``status`` to, in lifecycle order;
    empty for a final status or an unknown actor."""
    allowed = TRANSITIONS.get(status, frozenset()) & _MOVES_BY_ACTOR.get(actor_kind, frozenset())
    return tuple(candidate for candidate in STATUSES if candidate in allowed)


def open311_status(status: str) -> str:
    """The Open311 word for a status: ``open`` or ``closed``."""
    return "open" if status in OPEN else "closed"


def acknowledges(status: str) -> bool:
    """Whether moving to ``status`` counts as the officers' first acknowledgement (any status
    but ``new``, and the reporter's own withdrawal); the report keeps the first such moment."""
    return status not in (NEW, WITHDRAWN)


def resolves(status: str) -> bool:
    """Whether an event leaving the report in ``status`` stamps its resolution time."""
    return status == RESOLVED


#: mySociety's Open311 extension (servicerequestupdates, as FixMyStreet reads and sends it):
#: its status words, in the extension's order.
MYSOCIETY_STATUSES: tuple[str, ...] = (
    "OPEN",
    "INVESTIGATING",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "DUPLICATE",
    "FIXED",
    "CLOSED",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
)
#: The word an update carries for the status it left a report in. A rejection always comes with
#: the officer's reason, which may be anything: "no further action" is the general word.
_TO_MYSOCIETY: Mapping[str, str] = {
    NEW: "OPEN",
    ACKNOWLEDGED: "INVESTIGATING",
    IN_PROGRESS: "IN_PROGRESS",
    RESOLVED: "FIXED",
    CLOSED: "CLOSED",
    REJECTED: "NO_FURTHER_ACTION",
    DUPLICATE: "DUPLICATE",
    REOPENED: "OPEN",
    WITHDRAWN: "CLOSED",  # mySociety has no word for it; status_notes say who closed it
}
#: What an incoming word asks for: a status of ours, Open311's ``open``/``closed`` (which the
#: update API maps onto the report's lifecycle), or None: a note, the status unchanged (a
#: referral inside the agency does not move the case here).
FROM_MYSOCIETY: Mapping[str, str | None] = {
    "OPEN": "open",
    "REOPEN": "open",  # FixMyStreet's word when its user reopens
    "INVESTIGATING": ACKNOWLEDGED,
    "ACTION_SCHEDULED": ACKNOWLEDGED,
    "IN_PROGRESS": IN_PROGRESS,
    "FIXED": RESOLVED,
    "CLOSED": "closed",
    "DUPLICATE": DUPLICATE,
    "NOT_COUNCILS_RESPONSIBILITY": REJECTED,
    "NO_FURTHER_ACTION": REJECTED,
    "INTERNAL_REFERRAL": None,
}


def mysociety_status(status: str) -> str:
    """mySociety's word for a status of ours (every status has one)."""
    return _TO_MYSOCIETY[status]
