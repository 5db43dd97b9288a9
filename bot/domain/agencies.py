"""Agencies: which reports each handles, and who acts for it. The one owner of the rule "an
agency handles a report when the report is in one of its categories and areas (an agency with
no areas handles its categories everywhere), or when a hand-off gave the report to it".

Routing reads it through bot/domain/alerts.py, permissions through :func:`handles`; lists (an
agency's API key in Open311, an agency group admin's staff pages) through :func:`reach`, the same
rule put as a query. An agency's API key (``api_keys.agency_id``) reaches exactly the reports
:func:`key_reaches` says. Telegram's /agency and the CLI's ``agency`` both write through the
functions here, so a category name is checked the same way whichever way an admin typed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.geo.areas import Area
from bot.geo.directory import codes_in, scopes_of
from storage.agencies import Agency
from storage.apikeys import ApiKey
from storage.categories import Category
from storage.report_query import AgencyReach
from storage.reports import Report
from storage.store import Store

NAME_LIMIT = 80


class AgencyError(ValueError):
    """A name or category an admin typed that cannot be used; the message says which."""


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_LIMIT:
        raise AgencyError(f"an agency's name is 1 to {NAME_LIMIT} characters")
    return cleaned


def check_categories(typed: Iterable[str], categories: Mapping[str, Category]) -> list[str]:
    """The category keys, each known; an agency handles at least one."""
    keys = sorted({key.strip() for key in typed if key.strip()})
    unknown = [key for key in keys if key not in categories]
    if unknown:
        raise AgencyError(
            f"unknown categories: {', '.join(unknown)}; known: {', '.join(sorted(categories))}"
        )
    if not keys:
        raise AgencyError("an agency handles at least one category")
    return keys


def handles(agency: Agency, report: Report, area: Area | None) -> bool:
    """Whether ``report`` is the agency's: given to it, or its category in its areas."""
    if report.agency_id is not None:
        return report.agency_id == agency.id
    if report.category_key not in agency.categories:
        return False
    if not agency.scopes:
        return True
    return area is not None and any(scope in agency.scopes for scope in scopes_of(area))


async def acts_here(store: Store, chat_id: int, report: Report, area: Area | None) -> bool:
    """Whether a group linked to an agency that has ``report`` is where this was pressed."""
    return any(handles(agency, report, area) for agency in await store.agencies.of_chat(chat_id))


def reach(agency: Agency, areas: Iterable[Area]) -> AgencyReach:
    """:func:`handles` for a list: the agency's categories in the kelurahan of its scopes (every
    kelurahan and outside them when it has none), or a hand-off to it."""
    codes = tuple(codes_in(areas, agency.scopes)) if agency.scopes else None
    return AgencyReach(agency.id, agency.categories, codes)


async def key_agency(store: Store, key: ApiKey) -> Agency | None:
    """The agency an API key belongs to; None for a key scoped by areas (or one whose agency
    went, which removal revokes anyway)."""
    return await store.agencies.get(key.agency_id) if key.agency_id is not None else None


async def key_reaches(
    store: Store, by_code: Mapping[str, Area], key: ApiKey, report: Report
) -> bool:
    """Whether ``key`` may read (beyond what the public reads) and update ``report``: an
    agency's key the reports its agency handles, any other key those in its areas."""
    if key.agency_id is None:
        return key.covers(report.area_code)
    agency = await key_agency(store, key)
    return agency is not None and handles(agency, report, by_code.get(report.area_code or ""))
