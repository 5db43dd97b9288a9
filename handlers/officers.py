"""Officer invites: an admin creates a one-time deep link for an area; the officer opens it.

Only the hash of the link's token is stored (storage/groups.py); the short id shown with the link
is what /invites and ``officer revoke-invite`` name it by."""

from __future__ import annotations

import contextlib
import secrets
from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.domain.permissions import is_admin
from bot.i18n import t
from bot.redaction import remember
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.areas import choice_keyboard, chosen_scope, scope_label
from handlers.people import language_of
from storage.groups import Scope

INVITE_PREFIX = "inv_"
INVITE_VALID_FOR = timedelta(days=7)


async def invite_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    services = context.services
    message = update.effective_message
    if not is_admin(services, update.effective_user.id):
        await message.reply_text(
            t(language, "officer.invite_admin_only"), parse_mode=ParseMode.HTML
        )
        return
    if update.effective_chat.type != "private":
        await message.reply_text(t(language, "officer.invite_private"), parse_mode=ParseMode.HTML)
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
            parse_mode=ParseMode.HTML,
            reply_markup=choice_keyboard(services, callbacks.INVITE_AREA, candidates, language),
        )
        return
    await message.reply_text(t(language, "officer.invite_usage"), parse_mode=ParseMode.HTML)


async def invite_chosen(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    scope = await chosen_scope(
        update, context, language, "officer.invite_admin_only", callbacks.INVITE_AREA
    )
    if scope is None:
        return
    with contextlib.suppress(BadRequest):  # "not modified": a second tap took them already
        await update.callback_query.edit_message_reply_markup(None)
    await _create(update, context, scope, language)


async def _create(update: Update, context: BotContext, scope: Scope, language: str) -> None:
    services = context.services
    token = remember(secrets.token_urlsafe(16))  # kept out of the logs
    expires = datetime.now(UTC) + INVITE_VALID_FOR
    invite_id = await services.store.officers.create_invite(
        token, scope, update.effective_user.id, expires
    )
    link = f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{token}"
    local = expires.astimezone(services.settings.tz)
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            language,
            "officer.invite_created",
            id=invite_id,
            scope=scope_label(services, scope, language),
            link=link,
            expires=f"{local:%d/%m/%Y %H:%M} {local.tzname()}",
        ),
        parse_mode=ParseMode.HTML,
        disable_web_page_preview=True,
    )


async def redeem(update: Update, context: BotContext, token: str) -> None:
    """``/start inv_<token>`` in a private chat."""
    language = await language_of(update, context)
    services = context.services
    user = update.effective_user
    outcome, scope = await services.store.officers.redeem_invite(
        token, user.id, datetime.now(UTC), name=user.full_name
    )
    if outcome == "ok" and scope is not None:
        text = t(language, "officer.registered", scope=scope_label(services, scope, language))
    else:
        text = t(language, f"officer.invite_{outcome}")
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)
