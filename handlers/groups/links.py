"""/link, /unlink and /area: which areas a group receives reports for. Done inside the group
itself, and only by a WargaLapor admin."""

from __future__ import annotations

from telegram import Update

from bot.domain import group_links
from bot.domain.permissions import is_admin
from bot.i18n import Html, t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.areas import choice_keyboard, on_area_chosen, scope_label
from handlers.narrow import chat_of, message_of, user_of
from handlers.people import language_of
from storage.groups import Scope


async def admin_in_group(update: Update, context: BotContext, language: str) -> bool:
    """Linking is done inside the group itself, and only by a WargaLapor admin."""
    message = message_of(update)
    if chat_of(update).type == "private":
        await message.reply_text(t(language, "groups.link_in_group"))
        return False
    if not is_admin(context.services, user_of(update).id):
        await message.reply_text(t(language, "groups.link_admin_only"))
        return False
    return True


async def _admin_command(update: Update, context: BotContext) -> tuple[str, str] | None:
    """/link and /unlink: the language and the typed area, for an admin inside a group only."""
    language = await language_of(update, context)
    if not await admin_in_group(update, context, language):
        return None
    return language, " ".join(context.args or []).strip()


async def link_command(update: Update, context: BotContext) -> None:
    if (asked := await _admin_command(update, context)) is None:
        return
    language, query = asked
    message = message_of(update)
    services = context.services
    if not query:
        await message.reply_text(t(language, "groups.link_usage"))
        return
    choices = services.directory.resolve(query)
    if len(choices) == 1:
        await _link(update, context, choices[0].scope, language)
        return
    if choices:
        await message.reply_text(
            t(language, "groups.link_pick"),
            reply_markup=choice_keyboard(services, callbacks.LINK_AREA, choices, language),
        )
        return
    suggestions = services.directory.suggest(query)
    if suggestions:
        await message.reply_text(
            t(language, "groups.link_suggest", query=query),
            reply_markup=choice_keyboard(services, callbacks.LINK_AREA, suggestions, language),
        )
        return
    await message.reply_text(t(language, "groups.link_not_found", query=query))


async def _link(update: Update, context: BotContext, scope: Scope, language: str) -> None:
    services = context.services
    chat = chat_of(update)
    added = await group_links.link(services.store, chat.id, scope, chat.title, user_of(update).id)
    key = "groups.linked" if added else "groups.linked_already"
    label = scope_label(services, scope, language)
    await context.bot.send_message(chat.id, t(language, key, scope=label))


#: A /link picker button.
link_chosen = on_area_chosen(callbacks.LINK_AREA, "groups.link_admin_only", _link)


async def unlink_command(update: Update, context: BotContext) -> None:
    if (asked := await _admin_command(update, context)) is None:
        return
    language, query = asked
    services = context.services
    scopes = [choice.scope for choice in services.directory.resolve(query)] if query else None
    removed = await group_links.unlink(services.store, chat_of(update).id, scopes)
    key = "groups.unlinked" if removed else "groups.unlinked_none"
    await message_of(update).reply_text(t(language, key, count=removed))


async def area_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    services = context.services
    links = await services.store.groups.links_of(chat_of(update).id)
    if not links:
        await message_of(update).reply_text(t(language, "groups.area_none"))
        return
    scopes = Html("\n".join(f"• {scope_label(services, link.scope, language)}" for link in links))
    await message_of(update).reply_text(t(language, "groups.area_list", scopes=scopes))
