"""/broadcasts for admins: the latest broadcasts with their delivery counts; scheduled and
running ones can be cancelled with a button."""

from __future__ import annotations

from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot.i18n import Html, plain, t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.broadcast_steps import describe_audience, say, text_button
from handlers.narrow import message_of
from handlers.people import admin_language
from storage.broadcasts import Broadcast


async def list_command(update: Update, context: BotContext) -> None:
    """/broadcasts: the latest ones with their counts; scheduled and running can be cancelled."""
    language = await admin_language(update, context, "broadcast.admin_only")
    if language is None:
        return
    broadcasts = await context.services.store.broadcasts.recent()
    message = message_of(update)
    if not broadcasts:
        await message.reply_text(t(language, "broadcast.none"))
        return
    lines, buttons = [], []
    for item in broadcasts:
        lines.append(await _line(context, item, language))
        if item.state in ("scheduled", "running"):
            buttons.append(
                [
                    text_button(
                        language,
                        "broadcast.cancel_one",
                        callbacks.BROADCAST_WITHDRAW.data(callbacks.Number(item.id)),
                        id=item.id,
                    )
                ]
            )
    await message.reply_text(
        Html("\n".join(lines)),
        reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
    )


async def _line(context: BotContext, item: Broadcast, language: str) -> Html:
    counts = await context.services.store.broadcasts.counts(item.id)
    when = datetime.fromisoformat(item.scheduled_at).astimezone(context.services.settings.tz)
    return t(
        language,
        "broadcast.line",
        id=item.id,
        state=t(language, f"broadcast.state_{item.state}"),
        sent=counts.sent,
        total=item.total,
        failed=counts.failed + counts.blocked,
        audience=describe_audience(context, item.audience, language),
        when=f"{when:%d/%m %H:%M}",
    )


async def cancel_broadcast(
    query: CallbackQuery, context: BotContext, broadcast_id: int, language: str
) -> None:
    done = await context.services.broadcasts.cancel(broadcast_id)
    key = "broadcast.cancelled" if done else "broadcast.not_cancellable"
    await query.answer(plain(language, key, id=broadcast_id), show_alert=not done)
    if done:
        await say(context, query.from_user.id, t(language, key, id=broadcast_id))
