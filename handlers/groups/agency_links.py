"""/agency: which agencies a group works for (bot/domain/agencies.py). Done inside the group
itself, and only by a WargaLapor admin, like /link: a group linked to an agency receives its
reports and its administrators act on them.

``/agency`` lists the group's agencies, ``/agency Dinas SDA`` links it, ``/agency off Dinas
SDA`` (or ``/agency off``: all) unlinks it. Agencies are created with ``python -m bot agency
create``; a name the bot does not know is answered with the names it does.
"""

from __future__ import annotations

from telegram import Update

from bot.i18n import Html, t
from bot.telegram.context import BotContext
from handlers.groups.links import admin_in_group
from handlers.narrow import chat_of, message_of, user_of
from handlers.people import language_of

OFF = frozenset({"off", "hapus", "lepas", "unlink"})


async def agency_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    message = message_of(update)
    store = context.services.store
    args = context.args or []
    if chat_of(update).type == "private":
        await message.reply_text(t(language, "agency.usage"))
        return
    if not args:  # anyone in a group may ask what it receives
        linked = await store.agencies.of_chat(chat_of(update).id)
        if not linked:
            await message.reply_text(t(language, "agency.none"))
            return
        names = Html("\n".join(f"• {t(language, 'agency.item', name=a.name)}" for a in linked))
        await message.reply_text(t(language, "agency.list", names=names))
        return
    if not await admin_in_group(update, context, language):
        return
    chat = chat_of(update)
    unlinking = args[0].lower() in OFF
    name = " ".join(args[1:] if unlinking else args).strip()
    if unlinking and not name:
        removed = await store.agencies.unlink(chat.id)
        key = "agency.unlinked_all" if removed else "agency.none"
        await message.reply_text(t(language, key, count=removed))
        return
    agency = await store.agencies.by_name(name)
    if agency is None:
        known = ", ".join(a.name for a in await store.agencies.all()) or "-"
        await message.reply_text(t(language, "agency.unknown", name=name, known=known))
        return
    if unlinking:
        removed = await store.agencies.unlink(chat.id, agency.id)
        key = "agency.unlinked" if removed else "agency.not_linked"
        await message.reply_text(t(language, key, name=agency.name))
        return
    added = await store.agencies.link(agency.id, chat.id, chat.title, user_of(update).id)
    key = "agency.linked" if added else "agency.linked_already"
    await message.reply_text(t(language, key, name=agency.name))
