"""Agencies: which reports each handles, and who acts for it. The one owner of the rule "an
agency handles a report when the report is in one of its categories and areas (an agency with
no areas handles its categories everywhere), or when a hand-off gave the report to it".

Routing reads it through bot/domain/alerts.py, permissions through :func:`handles`; Telegram's
/agency and the CLI's ``agency`` both write through the functions here, so a category name is
checked the same way whichever way an admin typed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.geo.areas import Area
from bot.geo.directory import scopes_of
from storage.agencies import Agency
from storage.categories import Category
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
