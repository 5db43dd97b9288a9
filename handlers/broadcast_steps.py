"""The Telegram side of each /broadcast step: reading what the admin sent, the preview, and the
questions with their buttons. The draft's moves are bot/domain/compose.py's.

What the admin typed is sent as typed unless it is well-formed Telegram HTML
(bot/domain/typed_html.py decides, and explains broken HTML in the admin's language, offering to
send it as typed). The preview is then a real send to the admin, so whatever Telegram would
still refuse is refused there, before a single recipient is involved; Telegram's own (English)
words are logged, never shown.
"""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity
from telegram.error import BadRequest

from bot.domain.compose import AUDIENCES, DAY_CHOICES, DAYS, Confirmation, text_limit
from bot.domain.stats import number
from bot.domain.typed_html import Problem, prepare, visible_text
from bot.domain.when import NEEDS_TIME, PAST, Reading, spoken
from bot.i18n import Html, plain, t
from bot.moments import zone_label
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.areas import scope_label
from storage.broadcast_drafts import BroadcastDraft
from storage.broadcasts import Audience
from storage.groups import Scope

log = logging.getLogger(__name__)

#: Entities that are formatting the admin made with Telegram's buttons. Links, mentions and
#: hashtags Telegram finds by itself in any text are not: a typed text with a link in it is
#: still read as typed (and its tags, if any, as HTML).
FORMATTING = frozenset(
    {
        MessageEntity.BOLD,
        MessageEntity.ITALIC,
        MessageEntity.UNDERLINE,
        MessageEntity.STRIKETHROUGH,
        MessageEntity.SPOILER,
        MessageEntity.CODE,
        MessageEntity.PRE,
        MessageEntity.TEXT_LINK,
        MessageEntity.TEXT_MENTION,
        MessageEntity.BLOCKQUOTE,
        MessageEntity.EXPANDABLE_BLOCKQUOTE,
        MessageEntity.CUSTOM_EMOJI,
    }
)


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
    entities = (message.caption_entities if photo else message.entities) or ()
    if not source:
        await ask_text(context, draft.user_id, language)
        return
    problem: Problem | None = None
    if any(entity.type in FORMATTING for entity in entities):
        # Formatting made with Telegram's own buttons: PTB writes it as HTML, text escaped.
        sent = (message.caption_html if photo else message.text_html) or ""
    else:
        prepared = prepare(source)
        sent, problem = prepared.html, prepared.problem
    limit = text_limit(photo=photo is not None)
    length = len(visible_text(sent))
    if length > limit:
        await say(
            context, draft.user_id, t(language, "broadcast.too_long", length=length, max=limit)
        )
        return
    if problem is not None:
        await context.services.composer.hold_text(draft, sent, photo)
        await say(context, draft.user_id, explain(problem, language), _plain_choice(language))
        return
    await show_preview(context, draft, sent, photo, language, typed=source)


def explain(problem: Problem, language: str) -> Html:
    """Broken HTML in the admin's words: what is wrong, and the two ways on."""
    what = t(language, f"broadcast.html_{problem.kind}", tag=problem.tag)
    return t(language, "broadcast.html_problem", problem=what)


def _plain_choice(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [text_button(language, "broadcast.send_plain", step("plain"))],
            [text_button(language, "report.cancel", step("cancel"))],
        ]
    )


async def show_preview(
    context: BotContext,
    draft: BroadcastDraft,
    sent: str,
    photo: str | None,
    language: str,
    *,
    typed: str | None = None,
) -> None:
    """The announcement sent to the admin exactly as recipients will get it, then the audience
    question. A refusal is told in the admin's words; when the admin's formatting was what
    Telegram refused, sending the text as typed (``typed``) is offered."""
    try:
        await _preview(context, draft.user_id, sent, photo)
    except BadRequest as error:
        log.warning("broadcast preview refused", extra={"reason": error.message})
        alternative = html.escape(typed, quote=False) if typed is not None else None
        if alternative is not None and alternative != sent:
            await context.services.composer.hold_text(draft, alternative, photo)
            markup: InlineKeyboardMarkup | None = _plain_choice(language)
        else:
            markup = None
        await say(context, draft.user_id, t(language, "broadcast.preview_refused"), markup)
        return
    await context.services.composer.set_text(draft, sent, photo)
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
        reach=reach(confirmation, language),
    )
    await say(context, chat_id, text, markup)


def reach(confirmation: Confirmation, language: str) -> Html:
    """How many it reaches, as people ("1.234 warga") or groups ("3 grup"), never "chats"."""
    who = "groups" if confirmation.audience.kind in ("groups", "area_groups") else "people"
    one = "_one" if confirmation.count == 1 else ""
    return t(language, f"broadcast.reach_{who}{one}", count=number(language, confirmation.count))


def ask_when_text(context: BotContext, language: str) -> Html:
    zone = zone_label(context.services.composer.local_now())
    return t(language, "broadcast.ask_when", zone=zone)


async def take_when(
    message: Message, context: BotContext, draft: BroadcastDraft, language: str
) -> None:
    typed = (message.text or "").strip()
    scheduled = await context.services.composer.schedule(draft, typed)
    if isinstance(scheduled, Reading):
        await say(context, draft.user_id, _not_scheduled(context, scheduled, typed, language))
        return
    broadcast_id, moment = scheduled
    await say(
        context,
        draft.user_id,
        t(language, "broadcast.scheduled", id=broadcast_id, when=spoken(moment, language)),
    )


def _not_scheduled(context: BotContext, reading: Reading, typed: str, language: str) -> Html:
    """Why that time will not do, with what to write instead."""
    if reading.kind == PAST and reading.moment is not None:
        return t(language, "broadcast.when_past", when=spoken(reading.moment, language))
    if reading.kind == NEEDS_TIME:
        return t(language, "broadcast.when_needs_time", typed=typed)
    zone = zone_label(context.services.composer.local_now())
    return t(language, "broadcast.when_unknown", zone=zone)
