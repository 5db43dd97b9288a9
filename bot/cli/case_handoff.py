"""``case handoff REF --to-agency NAME | --to-area AREA --note WHY``: a hand-off made from a
terminal, exactly as the card's "↪️ Serahkan" makes it (bot/owners.py, bot/domain/handoffs.py):
new cards for the new owner's groups, the old ones retired, the reporter told. Like ``case
update``, the messages are outbox rows the running bot sends within ``OUTBOX_POLL_SECONDS``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cli.case_args import DEFAULT_ACTOR, MAX_ACTOR_NAME, parse_ref
from bot.cli.case_read import one_line
from bot.cli.usage import UsageError, one_scope
from bot.domain.cases import MAX_NOTE, Actor, Outcome
from bot.domain.handoffs import Target
from bot.owners import hand_off_as, target_name

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class HandoffRequest:
    ref: int
    agency: str | None
    area: str | None
    note: str
    actor: Actor


def add_handoff_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    handoff = actions.add_parser(
        "handoff",
        help="hand a report over to another agency or area, with the reason",
        description="The new owner's groups get the card within OUTBOX_POLL_SECONDS.",
    )
    handoff.add_argument("ref", help="report reference, e.g. 1042 or #1042")
    handoff.add_argument("--to-agency", help='the agency\'s name, e.g. "Dinas SDA"')
    handoff.add_argument("--to-area", help='a kelurahan, e.g. "Pinangsia" or its BPS code')
    handoff.add_argument("--note", help="why, for the reporter and the new owner (required)")
    handoff.add_argument("--by", help=f"who hands it over (default: {DEFAULT_ACTOR})")


def handoff_request(args: argparse.Namespace) -> HandoffRequest:
    ref = parse_ref(args.ref)
    if (args.to_agency is None) == (args.to_area is None):
        raise UsageError("give one of --to-agency NAME or --to-area AREA")
    note = (args.note or "").strip()
    if not note:
        raise UsageError("--note is required: why the report is not yours to handle")
    if len(note) > MAX_NOTE:
        raise UsageError(f"--note is {len(note)} characters long; at most {MAX_NOTE}")
    name = (args.by or "").strip() or DEFAULT_ACTOR
    if len(name) > MAX_ACTOR_NAME:
        raise UsageError(f"--by is {len(name)} characters long; at most {MAX_ACTOR_NAME}")
    return HandoffRequest(ref, args.to_agency, args.to_area, note, Actor("agency", None, name))


async def _target(services: Services, request: HandoffRequest) -> Target:
    if request.agency is not None:
        agency = await services.store.agencies.by_name(request.agency)
        if agency is None:
            raise UsageError(f"--to-agency: no agency named {request.agency!r}; see: agency list")
        return Target(agency=agency)
    assert request.area is not None
    scope = one_scope(services.directory, request.area, "--to-area")
    if scope.kind != "kelurahan":
        raise UsageError(f"--to-area {request.area!r}: name one kelurahan, not a {scope.kind}")
    return Target(area=services.areas.by_code[scope.key])


async def handoff(services: Services, request: HandoffRequest) -> None:
    report = await services.store.reports.get(request.ref)
    if report is None:
        raise UsageError(f"report #{request.ref} not found")
    target = await _target(services, request)
    language = services.settings.default_language
    result = await hand_off_as(services, report, target, request.actor, request.note, language)
    owner = target_name(target)
    if result.outcome is Outcome.UNCHANGED:
        print(f"#{request.ref} is already with {owner}: nothing changed")
        return
    if result.outcome is Outcome.NOT_ALLOWED:
        raise UsageError(f"report #{request.ref} is {report.status}: it cannot be handed over")
    if result.outcome is not Outcome.CHANGED:
        raise UsageError(f"report #{request.ref} could not be handed over ({result.outcome.value})")
    print(f"#{request.ref}: handed over to {owner} (by {request.actor.name})")
    print(f"  note: {one_line(request.note)}")
    seconds = f"{services.settings.outbox_poll_seconds:g}"
    print(
        f"  its new groups' cards and the reporter's follow-up go out from the running bot"
        f" within {seconds} s (OUTBOX_POLL_SECONDS), or when it starts"
    )
