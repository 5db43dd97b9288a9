"""Who may act on a report: checked on the server for every press and reply, never trusted from
the button. Admins may act anywhere; officers on their kelurahan, kecamatan or kota; the
administrators of a group linked to the report's area count as its officers there, and the
administrators of an agency's group as that agency's officers, on the reports it handles
(bot/domain/agencies.py).

Whether someone administers a group is Telegram's knowledge, not ours: the caller passes the
question in as a :data:`GroupAdminCheck` (the Telegram side answers it from
:mod:`bot.telegram.chat_admins`), so this module never imports Telegram.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain import agencies
from bot.geo.directory import scopes_of
from storage.agencies import Agency
from storage.reports import Report
from storage.store import Store

if TYPE_CHECKING:  # bot.services builds services from bot.domain: no import cycle at run time
    from bot.services import Services

#: "Is ``user_id`` an administrator of group ``chat_id``?" — ``(chat_id, user_id) -> bool``.
GroupAdminCheck = Callable[[int, int], Awaitable[bool]]


def admin_in(settings: Settings, user_id: int) -> bool:
    """The one rule for who is a WargaLapor admin: listed in ADMIN_USER_IDS."""
    return user_id in settings.admin_user_ids


def is_admin(services: Services, user_id: int) -> bool:
    return admin_in(services.settings, user_id)


async def may_act_on(
    services: Services,
    is_group_admin: GroupAdminCheck,
    user_id: int,
    chat_id: int,
    report: Report,
) -> bool:
    if is_admin(services, user_id):
        return True
    area = services.areas.by_code.get(report.area_code or "")
    if await agencies.acts_here(services.store, chat_id, report, area):
        return await is_group_admin(chat_id, user_id)
    if area is None:
        return False  # outside the service area: the admins' business
    scopes = scopes_of(area)
    if await services.store.officers.covers(user_id, scopes):
        return True
    links = await services.store.groups.links_of(chat_id)
    if any(link.scope in scopes for link in links):
        return await is_group_admin(chat_id, user_id)
    return False


async def agencies_administered(
    store: Store, is_group_admin: GroupAdminCheck, user_id: int
) -> list[Agency]:
    """The agencies with a linked group that ``user_id`` administers: as in those groups (the
    rule of :func:`may_act_on`), they act for the agency on the staff pages too."""
    found = []
    for agency in await store.agencies.all():
        for chat_id in agency.chats:
            if await is_group_admin(chat_id, user_id):
                found.append(agency)
                break
    return found
