"""Who may act on a report: checked on the server for every press and reply, never trusted from
the button. Admins may act anywhere; officers on their kelurahan, kecamatan or kota; and the
administrators of a group linked to the report's area count as its officers there.
"""

from __future__ import annotations

from telegram import Bot

from bot.geo.directory import scopes_of
from bot.services import Services
from storage.reports import Report


def is_admin(services: Services, user_id: int) -> bool:
    return user_id in services.settings.admin_user_ids


async def may_act_on(
    services: Services, bot: Bot, user_id: int, chat_id: int, report: Report
) -> bool:
    if is_admin(services, user_id):
        return True
    area = services.areas.by_code.get(report.area_code or "")
    if area is None:
        return False  # outside the service area: the admins' business
    scopes = scopes_of(area)
    if await services.store.officers.covers(user_id, scopes):
        return True
    links = await services.store.groups.links_of(chat_id)
    if any(link.scope in scopes for link in links):
        return await services.chat_admins.is_admin(bot, chat_id, user_id)
    return False
