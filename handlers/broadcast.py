"""/broadcast for admins: compose (text as typed, or Telegram HTML; optional photo), preview it
exactly as recipients will see it, pick the audience, then send now or schedule ("besok 07:00").
/broadcasts lists and cancels (handlers/broadcast_list.py). /stop lets a citizen turn
announcements off.

This module takes the admin's commands, messages and presses to the step they belong to: the
draft's moves are bot/domain/compose.py's, each step's questions handlers/broadcast_steps.py's.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from bot.domain.compose import AREA, AUDIENCE, PLAIN, TEXT, WHEN, Confirmation, may
from bot.domain.permissions import is_admin
from bot.i18n import t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.broadcast_list import cancel_broadcast, list_command
from handlers.broadcast_steps import (
    area_chosen,
    ask_audience,
    ask_text,
    ask_when_text,
    confirm,
    drop,
    say,
    show_preview,
    step,
    take_area,
    take_text,
    take_when,
    text_button,
)
from handlers.narrow import chat_of, message_of, pressed_message, query_of, user_of
from handlers.people import language_of
from storage.groups import Scope

__all__ = ["broadcast_command", "button", "list_command", "on_message", "stop_command"]


async def broadcast_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    user = user_of(update)
    message = message_of(update)
    if not is_admin(context.services, user.id):
        await message.reply_text(t(language, "broadcast.admin_only"))
        return
    if chat_of(update).type != "private":
        await message.reply_text(t(language, "broadcast.private_only"))
        return
    await context.services.composer.start(user.id)
    cancel = InlineKeyboardMarkup([[text_button(language, "report.cancel", step("cancel"))]])
    await say(context, user.id, t(language, "broadcast.ask_text"), cancel)


async def on_message(message: Message, context: BotContext, language: str) -> bool:
    """An admin's message while composing; False when they are not composing anything."""
    services = context.services
    user_id = message.chat_id
    if not is_admin(services, user_id):
        return False
    draft = await services.composer.draft(user_id)
    if draft is None:
        return False
    if draft.step in (TEXT, PLAIN):  # broken HTML waiting: a new text replaces it
        await take_text(message, context, draft, language)
    elif draft.step == AREA:
        await take_area(message, context, draft, language)
    elif draft.step == WHEN:
        await take_when(message, context, draft, language)
    else:
        await say(context, user_id, t(language, "broadcast.use_buttons"))
    return True


async def button(update: Update, context: BotContext) -> None:
    """``broadcast:…`` (bot/telegram/callbacks.py): every press re-checks that the presser is
    an admin."""
    query = query_of(update)
    language = await language_of(update, context)
    services = context.services
    composer = services.composer
    user_id = query.from_user.id
    if not is_admin(services, user_id):
        await query.answer(t(language, "broadcast.admin_only"), show_alert=True)
        return
    data = query.data
    withdraw = callbacks.BROADCAST_WITHDRAW.parse(data)
    pressed_step = callbacks.BROADCAST_STEP.parse(data)
    chosen = callbacks.BROADCAST_AUDIENCE.parse(data)
    area = callbacks.BROADCAST_AREA.parse(data)
    days = callbacks.BROADCAST_DAYS.parse(data)
    action = pressed_step.word if pressed_step else ""
    if withdraw is not None:
        await cancel_broadcast(query, context, withdraw.number, language)
        return
    pressed = pressed_message(query)
    draft = await composer.draft(user_id)
    if draft is None:
        await query.answer(t(language, "common.stale_button"))
        await drop(pressed)
        return
    await query.answer()
    if action == "cancel":
        await composer.cancel(user_id)
        await drop(pressed)
        await say(context, user_id, t(language, "broadcast.cancelled_draft"))
    elif chosen is not None and may(draft, "audience"):
        await drop(pressed)
        outcome = await composer.choose_audience(draft, chosen.word)
        if outcome == AUDIENCE:
            await ask_audience(context, user_id, language)
        elif outcome == AREA:
            await say(context, user_id, t(language, "broadcast.ask_area"))
        elif isinstance(outcome, Confirmation):
            await confirm(context, user_id, outcome, language)
    elif area is not None and may(draft, "area"):
        scope = Scope(area.kind, area.key)
        if services.directory.choice(scope) is None:
            await say(context, user_id, t(language, "common.stale_button"))
            return
        await drop(pressed)
        await area_chosen(context, draft, scope, language)
    elif days is not None and may(draft, "days"):
        await drop(pressed)
        await confirm(context, user_id, await composer.choose_days(draft, days.number), language)
    elif action == "now" and may(draft, "send"):
        await drop(pressed)
        await composer.send_now(draft)
    elif action == "schedule" and may(draft, "schedule"):
        await drop(pressed)
        await composer.ask_when(draft)
        await say(context, user_id, ask_when_text(context, language))
    elif action == "plain" and may(draft, "plain") and draft.text:
        await drop(pressed)
        await show_preview(context, draft, draft.text, draft.photo_file_id, language)
    elif action == "edit":
        await drop(pressed)
        await composer.edit_text(draft)
        await ask_text(context, user_id, language)
    else:
        await say(context, user_id, t(language, "common.stale_button"))


async def stop_command(update: Update, context: BotContext) -> None:
    """/stop: no more announcements (reports and their follow-ups are unaffected)."""
    language = await language_of(update, context)
    await context.services.citizens.set_announcements(user_of(update).id, on=False)
    await message_of(update).reply_text(t(language, "broadcast.stopped"))
