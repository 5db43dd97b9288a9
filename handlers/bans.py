"""/ban and /unban: admins stop a citizen from using the bot, and let them back.

``/ban <user id>`` works wherever an admin writes; ``/ban`` as a reply to an alert card (in the
admins' chat ADMIN_CHAT_ID, or any group the admin is in) bans that report's reporter, which is
where an admin meets an abusive report, without anyone reading the reporter's id. What a ban does
is in handlers/gate.py; the ban itself (and that admins are never banned) bot/domain/citizens.py.
"""

from __future__ import annotations

from telegram import Update

from bot.i18n import t
from bot.ids import parse_id
from bot.telegram.context import BotContext
from handlers.narrow import message_of
from handlers.people import admin_language


async def _target(update: Update, context: BotContext) -> tuple[int | None, int | None]:
    """(user id, report id when it came from a replied-to alert card)."""
    argument = " ".join(context.args or []).strip()
    if argument:
        return parse_id(argument), None
    message = message_of(update)
    replied = message.reply_to_message
    if replied is None:
        return None, None
    card = await context.services.store.alerts.card_at(message.chat_id, replied.message_id)
    report = await context.services.store.reports.get(card.report_id) if card else None
    return (report.citizen_id, report.id) if report else (None, None)


async def ban_command(update: Update, context: BotContext) -> None:
    await _set(update, context, banned=True)


async def unban_command(update: Update, context: BotContext) -> None:
    await _set(update, context, banned=False)


async def _set(update: Update, context: BotContext, *, banned: bool) -> None:
    language = await admin_language(update, context, "ban.admin_only")
    if language is None:
        return
    services = context.services
    message = message_of(update)
    user_id, ref = await _target(update, context)
    if user_id is None:
        await message.reply_text(t(language, "ban.usage"))
        return
    citizens = services.citizens
    outcome = await (citizens.ban(user_id) if banned else citizens.unban(user_id))
    if outcome == "admin":
        await message.reply_text(t(language, "ban.not_admins"))
        return
    changed = outcome == "changed"
    who = t(language, "ban.reporter_of", ref=ref) if ref else str(user_id)
    key = (
        ("ban.banned" if changed else "ban.already_banned")
        if banned
        else ("ban.unbanned" if changed else "ban.not_banned")
    )
    await message.reply_text(t(language, key, who=who))
