"""/weblogin: an admin or officer asks for a one-time link that signs them in to the staff pages.

Who may sign in, and the one-time token, are bot/domain/staff_login.py's; the link works once,
for ten minutes, and is sent only in the private chat.
"""

from __future__ import annotations

from urllib.parse import quote

from telegram import Update

from bot.http.staff import LOGIN_VALID_FOR, web_base_url
from bot.i18n import t
from bot.telegram.context import BotContext
from handlers.narrow import message_of, user_of
from handlers.people import language_of


async def command(update: Update, context: BotContext) -> None:
    """Registered for private chats only: the link must never be posted in a group."""
    language = await language_of(update, context)
    services = context.services
    message = message_of(update)
    user = user_of(update)
    is_group_admin = services.chat_admins.asking(context.bot)
    if not await services.staff_login.may_sign_in(user.id, is_group_admin):
        await message.reply_text(t(language, "weblogin.refused"))
        return
    base = web_base_url(services.settings)
    if base is None:
        await message.reply_text(t(language, "weblogin.disabled"))
        return
    token = await services.staff_login.issue(user.id, user.full_name, LOGIN_VALID_FOR)
    await message.reply_text(
        t(language, "weblogin.link", link=f"{base}/staff/login?token={quote(token)}"),
        disable_web_page_preview=True,
    )
