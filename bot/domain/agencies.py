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
from datetime import datetime, timedelta

from bot.domain import privacy
from bot.geo.areas import Area
from bot.geo.directory import codes_in, scopes_of
from storage.agencies import Agency
from storage.apikeys import ApiKey
from storage.categories import Category
from storage.groups import Scope
from storage.report_query import AgencyReach
from storage.reports import Report
from storage.store import Store

NAME_LIMIT = 80
#: The admin's open question "which area does it handle?" (``admin_prompts``), and how long
#: their next message counts as its answer.
AREA_PROMPT = "agency_area"
PROMPT_VALID_FOR = timedelta(minutes=30)


class AgencyError(ValueError):
    """A name or category an admin typed that cannot be used; the message says which (in
    English, for the CLI), and ``code`` names the rule, so Telegram says it from the catalogs."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_LIMIT:
        raise AgencyError(f"an agency's name is 1 to {NAME_LIMIT} characters", "name")
    return cleaned


async def create(
    store: Store, name: str, categories: list[str], scopes: list[Scope], by: int | None
) -> int:
    """A new agency's id, its name checked; one of the same name (any case) is refused. The
    CLI gives its categories at once; Telegram creates it with none and toggles them after,
    so until then it receives nothing."""
    cleaned = check_name(name)
    agency_id = await store.agencies.create(cleaned, categories, scopes, by)
    if agency_id is None:
        raise AgencyError(f"an agency named {cleaned!r} exists", "exists")
    return agency_id


def check_categories(typed: Iterable[str], categories: Mapping[str, Category]) -> list[str]:
    """The category keys, each known; an agency handles at least one."""
    keys = sorted({key.strip() for key in typed if key.strip()})
    unknown = [key for key in keys if key not in categories]
    if unknown:
        raise AgencyError(
            f"unknown categories: {', '.join(unknown)}; known: {', '.join(sorted(categories))}",
            "unknown_category",
        )
    if not keys:
        raise AgencyError("an agency handles at least one category", "no_category")
    return keys


def with_category(
    agency: Agency, key: str, on: bool, categories: Mapping[str, Category]
) -> list[str]:
    """The agency's categories with ``key`` switched on or off (a stale button sets what it
    showed, never the opposite). Taking the last one off is refused as typing none is: an
    agency is removed, not emptied."""
    current = set(agency.categories)
    wanted = current | {key} if on else current - {key}
    if key not in categories:
        raise AgencyError(f"unknown category: {key}", "unknown_category")
    return check_categories(wanted, categories)


def with_scope(agency: Agency, scope: Scope) -> list[Scope]:
    """The agency's areas with ``scope`` added (an agency of every area now has one)."""
    return list(agency.scopes) + ([scope] if scope not in agency.scopes else [])


def without_scope(agency: Agency, scope: Scope) -> list[Scope]:
    """The agency's areas without ``scope``. Taking away the last would make it handle its
    categories everywhere, so that is refused: widening is said with its own button."""
    left = [kept for kept in agency.scopes if kept != scope]
    if not left and agency.scopes:
        raise AgencyError("the last area: say 'all' to mean everywhere", "last_area")
    return left


def handles(agency: Agency, report: Report, area: Area | None) -> bool:
    """Whether ``report`` is the agency's: given to it, or its category in its areas."""
    if report.agency_id is not None:
        return report.agency_id == agency.id
    return handles_category(agency, report.category_key, area)


def handles_category(agency: Agency, category_key: str, area: Area | None) -> bool:
    """Whether a report of ``category_key`` in ``area`` would be the agency's (before any
    hand-off): what an agency's key may file, as well as what it reads."""
    if category_key not in agency.categories:
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


async def key_knows(store: Store, by_code: Mapping[str, Area], key: ApiKey, report: Report) -> bool:
    """Whether ``key`` may learn that ``report`` exists at all. A published report's existence
    is public (Open311 lists it), so a key it does not reach is told "not yours" (403). A
    confidential one exists only for those responsible for it (its agency's key, a key of its
    area): to any other key it is missing, with a missing report's very answer, so trying
    numbers tells a system nothing a citizen chose to keep quiet."""
    return privacy.published(report.visibility) or await key_reaches(store, by_code, key, report)


async def ask_area(store: Store, admin_id: int, agency_id: int) -> None:
    """The admin's next private message names an area for the agency."""
    await store.admin_prompts.ask(admin_id, AREA_PROMPT, agency_id)


async def asked_area(store: Store, admin_id: int, now: datetime) -> int | None:
    """The agency whose area the admin's next message names, while the question is fresh."""
    prompt = await store.admin_prompts.get(admin_id)
    if prompt is None or prompt.kind != AREA_PROMPT:
        return None
    if now - datetime.fromisoformat(prompt.created_at) > PROMPT_VALID_FOR:
        await store.admin_prompts.answered(admin_id)
        return None
    return prompt.subject_id


# --- what Telegram's /agencies writes (the CLI writes the same through store.agencies) ------


async def switch_category(
    store: Store, agency: Agency, key: str, on: bool, categories: Mapping[str, Category]
) -> None:
    await store.agencies.update(agency.id, with_category(agency, key, on, categories), None)


async def add_area(store: Store, agency: Agency, scope: Scope, admin_id: int) -> None:
    """The area joins the agency's, and the admin's question about it is answered."""
    await store.agencies.update(agency.id, None, with_scope(agency, scope))
    await store.admin_prompts.answered(admin_id)


async def drop_area(store: Store, agency: Agency, scope: Scope) -> None:
    await store.agencies.update(agency.id, None, without_scope(agency, scope))


async def everywhere(store: Store, agency: Agency) -> None:
    await store.agencies.update(agency.id, None, [])


async def remove(store: Store, agency: Agency) -> None:
    await store.agencies.remove(agency.id)


async def forget_question(store: Store, admin_id: int) -> None:
    await store.admin_prompts.answered(admin_id)
