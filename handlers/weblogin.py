"""/weblogin: an admin or officer asks for a one-time link that signs them in to the staff pages.

Why a link from the bot instead of a password: Telegram already knows who they are, so there is
nothing to remember, leak or reset; the link works once, for ten minutes, and is sent only in
the private chat.
"""

from __future__ import annotations

from urllib.parse import quote

from telegram import Update
from telegram.constants import ParseMode

from bot.domain.permissions import is_admin
from bot.http.staff import LOGIN_VALID_FOR, web_base_url
from bot.i18n import t
from bot.redaction import remember
from bot.telegram.context import BotContext
from handlers.people import language_of
from storage.web_sessions import WebSessionRepository


async def command(update: Update, context: BotContext) -> None:
    """Registered for private chats only: the link must never be posted in a group."""
    language = await language_of(update, context)
    services = context.services
    message = update.effective_message
    user = update.effective_user
    sessions = WebSessionRepository(services.store.db)
    if not is_admin(services, user.id) and not await services.store.officers.scopes_of(user.id):
        await message.reply_text(t(language, "weblogin.refused"), parse_mode=ParseMode.HTML)
        return
    base = web_base_url(services.settings)
    if base is None:
        await message.reply_text(t(language, "weblogin.disabled"), parse_mode=ParseMode.HTML)
        return
    token = remember(
        await sessions.create_login(user.id, user.full_name, services.clock.now(), LOGIN_VALID_FOR)
    )
    await message.reply_text(
        t(language, "weblogin.link", link=f"{base}/staff/login?token={quote(token)}"),
        parse_mode=ParseMode.HTML,
        disable_web_page_preview=True,
    )
