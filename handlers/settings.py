"""/settings: the citizen's defaults; today, the privacy mode their next reports start with.

Why a default beside the summary's choice: a citizen who always wants to stay anonymous should
not have to remember a tap on every report. The summary still shows the mode and changes it
for one report in one tap; a category marked sensitive starts confidential whatever the
default (bot/domain/privacy.py).
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest

from bot.domain import privacy
from bot.i18n import Html, t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers import keyboards
from handlers.narrow import message_of, query_of, user_of
from handlers.people import language_of


def _text(language: str, current: privacy.Visibility) -> Html:
    return t(language, "privacy.settings", current=t(language, f"privacy.name_{current}"))


async def _current(context: BotContext, user_id: int) -> privacy.Visibility:
    citizen = await context.services.store.citizens.get(user_id)
    return (
        privacy.parse(citizen.default_visibility if citizen else None) or privacy.Visibility.PUBLIC
    )


async def settings_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    current = await _current(context, user_of(update).id)
    await message_of(update).reply_text(
        _text(language, current), reply_markup=keyboards.privacy_choice(current, language)
    )


async def privacy_chosen(update: Update, context: BotContext) -> None:
    """A press on /settings' modes: the new default, shown in place (a forged or unknown
    word is a stale button)."""
    query = query_of(update)
    language = await language_of(update, context)
    press = callbacks.PRIVACY.parse(query.data)
    chosen = privacy.parse(press.word if press else None)
    if chosen is None:
        await query.answer(t(language, "common.stale_button"))
        return
    await privacy.set_default(context.services.store, query.from_user.id, chosen)
    await query.answer()
    saved = t(language, "privacy.default_saved", mode=t(language, f"privacy.name_{chosen}"))
    text = Html(f"{saved}\n\n{_text(language, chosen)}")
    with contextlib.suppress(BadRequest):  # "not modified": the same mode pressed again
        await query.edit_message_text(text, reply_markup=keyboards.privacy_choice(chosen, language))
