"""Officer invites: an admin creates a one-time deep link for an area; the officer opens it.

The invite itself (its token, how long it lasts, redeeming it) is bot/domain/officers.py's."""

from __future__ import annotations

from telegram import Update

from bot import moments
from bot.i18n import t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.areas import choice_keyboard, on_area_chosen, scope_label
from handlers.narrow import chat_of, message_of, user_of
from handlers.people import admin_language, language_of
from storage.groups import Scope

INVITE_PREFIX = "inv_"


async def invite_command(update: Update, context: BotContext) -> None:
    language = await admin_language(update, context, "officer.invite_admin_only")
    if language is None:
        return
    services = context.services
    message = message_of(update)
    if chat_of(update).type != "private":
        await message.reply_text(t(language, "officer.invite_private"))
        return
    query = " ".join(context.args or []).strip()
    choices = services.directory.resolve(query) if query else []
    if len(choices) == 1:
        await _create(update, context, choices[0].scope, language)
        return
    candidates = choices or (services.directory.suggest(query) if query else [])
    if candidates:
        await message.reply_text(
            t(language, "groups.link_pick"),
            reply_markup=choice_keyboard(services, callbacks.INVITE_AREA, candidates, language),
        )
        return
    await message.reply_text(t(language, "officer.invite_usage"))


async def _create(update: Update, context: BotContext, scope: Scope, language: str) -> None:
    services = context.services
    invite = await services.officers.invite(scope, user_of(update).id)
    link = f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{invite.token}"
    await context.bot.send_message(
        chat_of(update).id,
        t(
            language,
            "officer.invite_created",
            id=invite.id,
            scope=scope_label(services, scope, language),
            link=link,
            expires=moments.local_time(services.settings.tz, invite.expires_at.isoformat()),
        ),
        disable_web_page_preview=True,
    )


#: An /invite picker button.
invite_chosen = on_area_chosen(callbacks.INVITE_AREA, "officer.invite_admin_only", _create)


async def redeem(update: Update, context: BotContext, token: str) -> None:
    """``/start inv_<token>`` in a private chat."""
    language = await language_of(update, context)
    services = context.services
    user = user_of(update)
    outcome, scope = await services.officers.redeem(token, user.id, user.full_name)
    if outcome == "ok" and scope is not None:
        text = t(language, "officer.registered", scope=scope_label(services, scope, language))
    else:
        text = t(language, f"officer.invite_{outcome}")
    await message_of(update).reply_text(text)
