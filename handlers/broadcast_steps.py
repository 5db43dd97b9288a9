"""The Telegram side of each /broadcast step: reading what the admin sent, the preview, and the
questions with their buttons. The draft's moves are bot/domain/compose.py's.

Invalid HTML is caught at the preview, which is a real send to the admin: Telegram's own parser
judges it, before a single recipient is involved.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.domain.compose import AUDIENCES, DAY_CHOICES, DAYS, Confirmation, text_limit
from bot.i18n import Html, plain, t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.areas import scope_label
from storage.broadcast_drafts import BroadcastDraft
from storage.broadcasts import Audience
from storage.groups import Scope


def step(word: str) -> str:
    """A composer step's button data (``broadcast:cancel``, ``…:now``, ``…:schedule``, …)."""
    return callbacks.BROADCAST_STEP.data(callbacks.Word(word))


def text_button(language: str, key: str, data: str, **params: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(plain(language, key, **params), callback_data=data)


async def say(
    context: BotContext, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    return await context.bot.send_message(chat_id, text, reply_markup=markup)


async def drop(message: object) -> None:
    """Take the buttons off a message whose question has been answered."""
    if isinstance(message, Message) and message.reply_markup is not None:
        try:
            await message.edit_reply_markup(None)
        except BadRequest:
            return


def describe_audience(context: BotContext, audience: Audience, language: str) -> Html:
    scope = scope_label(context.services, audience.scope, language) if audience.scope else ""
    return t(language, f"broadcast.describe_{audience.kind}", scope=scope, days=audience.days)


async def ask_text(context: BotContext, chat_id: int, language: str) -> None:
    await say(context, chat_id, t(language, "broadcast.ask_text"))


async def take_text(
    message: Message, context: BotContext, draft: BroadcastDraft, language: str
) -> None:
    photo = message.photo[-1].file_id if message.photo else None
    source = message.caption if photo else message.text
    entities = message.caption_entities if photo else message.entities
    if not source:
        await ask_text(context, draft.user_id, language)
        return
    # Formatting made with Telegram's own buttons arrives as entities; typed tags as text.
    html = (message.caption_html if photo else message.text_html) if entities else source
    limit = text_limit(photo=photo is not None)
    if len(source) > limit:
        await say(
            context, draft.user_id, t(language, "broadcast.too_long", length=len(source), max=limit)
        )
        return
    try:
        await _preview(context, draft.user_id, html, photo)
    except BadRequest as error:
        await say(context, draft.user_id, t(language, "broadcast.bad_html", error=error.message))
        return
    await context.services.composer.set_text(draft, html, photo)
    await ask_audience(context, draft.user_id, language)


async def _preview(context: BotContext, chat_id: int, html: str, photo: str | None) -> Message:
    if photo:
        return await context.bot.send_photo(chat_id, photo, caption=html)
    return await context.bot.send_message(chat_id, html)


async def ask_audience(context: BotContext, chat_id: int, language: str) -> None:
    rows = [
        [
            text_button(
                language,
                f"broadcast.audience_{kind}",
                callbacks.BROADCAST_AUDIENCE.data(callbacks.Word(kind)),
            )
        ]
        for kind in AUDIENCES
    ]
    rows.append([text_button(language, "report.cancel", step("cancel"))])
    await say(context, chat_id, t(language, "broadcast.ask_audience"), InlineKeyboardMarkup(rows))


async def take_area(
    message: Message, context: BotContext, draft: BroadcastDraft, language: str
) -> None:
    services = context.services
    query = (message.text or "").strip()
    choices = services.directory.resolve(query) if query else []
    if len(choices) == 1:
        await area_chosen(context, draft, choices[0].scope, language)
        return
    candidates = choices or (services.directory.suggest(query) if query else [])
    if not candidates:
        await say(context, draft.user_id, t(language, "groups.link_not_found", query=query))
        return
    buttons = [
        [
            InlineKeyboardButton(
                plain(
                    language, "broadcast.pick_scope", scope=scope_label(services, c.scope, language)
                ),
                callback_data=callbacks.BROADCAST_AREA.data(
                    callbacks.Area(c.scope.kind, c.scope.key)
                ),
            )
        ]
        for c in candidates
    ]
    await say(
        context, draft.user_id, t(language, "groups.link_pick"), InlineKeyboardMarkup(buttons)
    )


async def area_chosen(
    context: BotContext, draft: BroadcastDraft, scope: Scope, language: str
) -> None:
    outcome = await context.services.composer.choose_area(draft, scope)
    if outcome == DAYS:
        buttons = [
            text_button(
                language,
                "broadcast.days",
                callbacks.BROADCAST_DAYS.data(callbacks.Number(days)),
                days=days,
            )
            for days in DAY_CHOICES
        ]
        await say(
            context,
            draft.user_id,
            t(language, "broadcast.ask_days"),
            InlineKeyboardMarkup([buttons]),
        )
        return
    if isinstance(outcome, Confirmation):
        await confirm(context, draft.user_id, outcome, language)


async def confirm(
    context: BotContext, chat_id: int, confirmation: Confirmation, language: str
) -> None:
    """The recipient count, and send now / schedule / change the text / cancel."""
    if confirmation.count == 0:
        rows = [
            [
                text_button(
                    language,
                    "broadcast.change_audience",
                    callbacks.BROADCAST_AUDIENCE.data(callbacks.Word("again")),
                )
            ]
        ]
        rows.append([text_button(language, "report.cancel", step("cancel"))])
        await say(context, chat_id, t(language, "broadcast.nobody"), InlineKeyboardMarkup(rows))
        return
    markup = InlineKeyboardMarkup(
        [
            [
                text_button(language, "broadcast.send_now", step("now")),
                text_button(language, "broadcast.schedule", step("schedule")),
            ],
            [
                text_button(language, "broadcast.change_text", step("edit")),
                text_button(language, "report.cancel", step("cancel")),
            ],
        ]
    )
    text = t(
        language,
        "broadcast.confirm",
        audience=describe_audience(context, confirmation.audience, language),
        count=confirmation.count,
    )
    await say(context, chat_id, text, markup)


async def take_when(
    message: Message, context: BotContext, draft: BroadcastDraft, language: str
) -> None:
    scheduled = await context.services.composer.schedule(draft, message.text or "")
    if scheduled is None:
        await say(context, draft.user_id, t(language, "broadcast.bad_when"))
        return
    broadcast_id, moment = scheduled
    await say(
        context,
        draft.user_id,
        t(language, "broadcast.scheduled", id=broadcast_id, when=f"{moment:%d/%m/%Y %H:%M %Z}"),
    )
