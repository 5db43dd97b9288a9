"""How the owner of a report is named: the agency a hand-off gave it to, else its kelurahan.
One wording for the hand-off notes, the cards that say who has a report now, the CLI and
Open311's ``agency_responsible``, so an officer, a reporter and an agency's system read the same
name (bot/domain/handoffs.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import handoffs
from bot.domain.cases import Actor, ChangeResult
from bot.domain.handoffs import Named, Target
from bot.geo.areas import Area
from bot.i18n import plain
from storage.reports import Report

if TYPE_CHECKING:
    from bot.services import Services


def area_owner(area: Area | None) -> str | None:
    """A kelurahan as Open311 has always named it."""
    return f"Kel. {area.name}, Kec. {area.district}, {area.city}" if area else None


async def owner_of(services: Services, report: Report) -> str | None:
    """Who has the report now; None outside the service area with no agency."""
    if report.agency_id is not None:
        agency = await services.store.agencies.get(report.agency_id)
        if agency is not None:
            return agency.name
    return area_owner(services.areas.by_code.get(report.area_code or ""))


def target_name(target: Target) -> str:
    if target.agency is not None:
        return target.agency.name
    return area_owner(target.area) or "?"


async def hand_off_as(
    services: Services,
    report: Report,
    target: Target,
    actor: Actor,
    reason: str,
    language: str,
) -> ChangeResult:
    """:func:`bot.domain.handoffs.hand_off`, its owners and note worded in ``language``."""
    named = Named(await owner_of(services, report) or "WargaLapor", target_name(target))
    note = plain(
        language, "handoff.event_note", owner=named.new, previous=named.previous, note=reason
    )
    return await handoffs.hand_off(
        services, report.id, target, actor, reason=reason, named=named, event_note=note
    )
