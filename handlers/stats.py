"""/stats [period]: report figures for an admin's city or an officer's areas, as one message:
the chart with a short summary as its caption (handlers/stats_text.py) and a "details" button
for the full breakdown.

The button carries the period and who asked; a press by anyone else is refused (in a group the
others see it too, and their areas may differ), and the asker's right to see the figures is
checked again at the press, as for every button.
"""

from __future__ import annotations

import contextlib

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest

from bot.domain.compose import MAX_CAPTION
from bot.domain.stats import Audience, audience_for, chart_png, collect, parse_period, period_label
from bot.i18n import Html, plain, t, to_plain
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.narrow import chat_of, message_of, pressed_message, query_of, user_of
from handlers.people import language_of
from handlers.stats_text import details_text, heading, summary_text


async def stats_command(update: Update, context: BotContext) -> None:
    """``/stats``, ``/stats 7d|30d|90d|all`` or ``/stats 2026-11``, for admins and officers."""
    language = await language_of(update, context)
    services = context.services
    message, chat, user = message_of(update), chat_of(update), user_of(update)
    audience = await _audience(context, user.id, chat)
    if audience is None:
        await message.reply_text(t(language, "stats.not_allowed"))
        return
    now = services.clock.now()
    period = parse_period(" ".join(context.args or []), now, services.settings.tz)
    if period is None:
        await message.reply_text(t(language, "stats.usage"))
        return
    await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    summary = await collect(services, audience, period)
    head = heading(context, audience, period, now, language)
    if summary.total == 0:
        text = t(language, "stats.no_reports", details=Html("\n".join(head)))
        await message.reply_text(text)
        return
    text = summary_text(summary, head, language)
    details = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(language, "stats.details_button"),
                    callback_data=callbacks.STATS_DETAILS.data(
                        callbacks.StatsDetails(period.key, user.id)
                    ),
                )
            ]
        ]
    )
    png = await chart_png(services, summary, language, period)
    if png is None:
        await message.reply_text(text, reply_markup=details)
    elif len(to_plain(text)) <= MAX_CAPTION:
        await message.reply_photo(png, caption=text, reply_markup=details)
    else:  # many areas named: the text on its own, the chart after it
        await message.reply_text(text, reply_markup=details)
        caption = t(language, "stats.caption", period=period_label(period, language))
        await message.reply_photo(png, caption=caption)


async def details_pressed(update: Update, context: BotContext) -> None:
    """The "📋 Details" button: the full breakdown, for the asker, if they still may see it."""
    query = query_of(update)
    language = await language_of(update, context)
    press = callbacks.STATS_DETAILS.parse(query.data)
    pressed = pressed_message(query)
    if press is None or not isinstance(pressed, Message):
        await query.answer(t(language, "common.stale_button"))
        return
    if query.from_user.id != press.user:
        await query.answer(plain(language, "stats.details_not_yours"), show_alert=True)
        return
    audience = await _audience(context, press.user, pressed.chat)
    if audience is None:
        await query.answer(plain(language, "stats.not_allowed"), show_alert=True)
        return
    services = context.services
    now = services.clock.now()
    period = parse_period(press.period, now, services.settings.tz)
    if period is None:
        await query.answer(t(language, "common.stale_button"))
        return
    await query.answer()
    summary = await collect(services, audience, period)
    head = heading(context, audience, period, now, language)
    with contextlib.suppress(BadRequest):  # already gone: a second press in flight
        await pressed.edit_reply_markup(None)
    await pressed.reply_text(details_text(context, summary, head, language), do_quote=True)


async def _audience(context: BotContext, user_id: int, chat: Chat) -> Audience | None:
    services = context.services
    return await audience_for(
        services,
        services.chat_admins.asking(context.bot),
        user_id,
        chat.id,
        in_group=chat.type != Chat.PRIVATE,
    )
