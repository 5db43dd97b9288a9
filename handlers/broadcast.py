"""/broadcast for admins: compose (HTML text, optional photo), pick the audience, preview it
exactly as recipients will see it, then send now or schedule. /broadcasts lists and cancels.
/stop and /start let a citizen turn announcements off and on.

Invalid HTML is caught at the preview, which is a real send to the admin: Telegram's own parser
judges it, before a single recipient is involved.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.domain.broadcasts import audience_for
from bot.domain.permissions import is_admin
from bot.i18n import Html, plain, t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.areas import scope_label
from handlers.people import language_of
from storage.broadcast_drafts import BroadcastDraft
from storage.broadcasts import Audience, Broadcast
from storage.groups import Scope

MAX_TEXT = 4096
MAX_CAPTION = 1024
AUDIENCES = ("citizens", "area_citizens", "groups", "area_groups")
DAY_CHOICES = (30, 90, 365)
_WHEN = (
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2})[:.](\d{2})$"), "dmy"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})\s+(\d{1,2})[:.](\d{2})$"), "dm"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2})[:.](\d{2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})[:.](\d{2})$"), "hm"),
)


def _step(word: str) -> str:
    return callbacks.BROADCAST_STEP.data(callbacks.Word(word))


def _audience(word: str) -> str:
    return callbacks.BROADCAST_AUDIENCE.data(callbacks.Word(word))


_STEP_CANCEL = _step("cancel")


def _button(language: str, key: str, data: str, **params: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(plain(language, key, **params), callback_data=data)


async def _say(context: BotContext, chat_id: int, text: str, markup: object = None) -> Message:
    return await context.bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def broadcast_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    user = update.effective_user
    if not is_admin(context.services, user.id):
        await update.effective_message.reply_text(
            t(language, "broadcast.admin_only"), parse_mode=ParseMode.HTML
        )
        return
    if update.effective_chat.type != "private":
        await update.effective_message.reply_text(
            t(language, "broadcast.private_only"), parse_mode=ParseMode.HTML
        )
        return
    await context.services.store.broadcast_drafts.save(BroadcastDraft(user.id, "text"))
    cancel = InlineKeyboardMarkup([[_button(language, "report.cancel", _STEP_CANCEL)]])
    await _say(context, user.id, t(language, "broadcast.ask_text"), cancel)


async def on_message(message: Message, context: BotContext, language: str) -> bool:
    """An admin's message while composing; False when they are not composing anything."""
    services = context.services
    user_id = message.chat_id
    if not is_admin(services, user_id):
        return False
    draft = await services.store.broadcast_drafts.get(user_id)
    if draft is None:
        return False
    if draft.step == "text":
        await _take_text(message, context, draft, language)
    elif draft.step == "area":
        await _take_area(message, context, draft, language)
    elif draft.step == "when":
        await _take_when(message, context, draft, language)
    else:
        await _say(context, user_id, t(language, "broadcast.use_buttons"))
    return True


async def _take_text(
    message: Message, context: BotContext, draft: BroadcastDraft, language: str
) -> None:
    photo = message.photo[-1].file_id if message.photo else None
    source = message.caption if photo else message.text
    entities = message.caption_entities if photo else message.entities
    if not source:
        await _say(context, draft.user_id, t(language, "broadcast.ask_text"))
        return
    # Formatting made with Telegram's own buttons arrives as entities; typed tags as text.
    html = (message.caption_html if photo else message.text_html) if entities else source
    limit = MAX_CAPTION if photo else MAX_TEXT
    if len(source) > limit:
        await _say(
            context, draft.user_id, t(language, "broadcast.too_long", length=len(source), max=limit)
        )
        return
    try:
        await _preview(context, draft.user_id, html, photo)
    except BadRequest as error:
        await _say(context, draft.user_id, t(language, "broadcast.bad_html", error=error.message))
        return
    await context.services.store.broadcast_drafts.save(
        draft.but(step="audience", text=html, photo_file_id=photo)
    )
    await _ask_audience(context, draft.user_id, language)


async def _preview(context: BotContext, chat_id: int, html: str, photo: str | None) -> Message:
    if photo:
        return await context.bot.send_photo(chat_id, photo, caption=html, parse_mode=ParseMode.HTML)
    return await context.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML)


async def _ask_audience(context: BotContext, chat_id: int, language: str) -> None:
    rows = [
        [_button(language, f"broadcast.audience_{kind}", _audience(kind))] for kind in AUDIENCES
    ]
    rows.append([_button(language, "report.cancel", _STEP_CANCEL)])
    await _say(context, chat_id, t(language, "broadcast.ask_audience"), InlineKeyboardMarkup(rows))


async def _take_area(
    message: Message, context: BotContext, draft: BroadcastDraft, language: str
) -> None:
    services = context.services
    query = (message.text or "").strip()
    choices = services.directory.resolve(query) if query else []
    if len(choices) == 1:
        await _area_chosen(context, draft, choices[0].scope, language)
        return
    candidates = choices or (services.directory.suggest(query) if query else [])
    if not candidates:
        await _say(context, draft.user_id, t(language, "groups.link_not_found", query=query))
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
    await _say(
        context, draft.user_id, t(language, "groups.link_pick"), InlineKeyboardMarkup(buttons)
    )


async def _area_chosen(
    context: BotContext, draft: BroadcastDraft, scope: Scope, language: str
) -> None:
    kind = Audience.from_json(draft.audience or '{"kind": "citizens"}').kind
    audience = audience_for(context.services, kind, scope)
    if kind == "area_citizens":
        await context.services.store.broadcast_drafts.save(
            draft.but(step="days", audience=audience.to_json())
        )
        buttons = [
            _button(
                language,
                "broadcast.days",
                callbacks.BROADCAST_DAYS.data(callbacks.Number(days)),
                days=days,
            )
            for days in DAY_CHOICES
        ]
        await _say(
            context,
            draft.user_id,
            t(language, "broadcast.ask_days"),
            InlineKeyboardMarkup([buttons]),
        )
        return
    await _confirm(context, draft.but(audience=audience.to_json()), language)


async def _confirm(context: BotContext, draft: BroadcastDraft, language: str) -> None:
    """The recipient count, and send now / schedule / change the text / cancel."""
    audience = Audience.from_json(draft.audience or "{}")
    count = await context.services.store.broadcasts.count_recipients(audience)
    await context.services.store.broadcast_drafts.save(draft.but(step="confirm"))
    if count == 0:
        rows = [[_button(language, "broadcast.change_audience", _audience("again"))]]
        rows.append([_button(language, "report.cancel", _STEP_CANCEL)])
        await _say(
            context, draft.user_id, t(language, "broadcast.nobody"), InlineKeyboardMarkup(rows)
        )
        return
    markup = InlineKeyboardMarkup(
        [
            [
                _button(language, "broadcast.send_now", _step("now")),
                _button(language, "broadcast.schedule", _step("schedule")),
            ],
            [
                _button(language, "broadcast.change_text", _step("edit")),
                _button(language, "report.cancel", _STEP_CANCEL),
            ],
        ]
    )
    text = t(
        language,
        "broadcast.confirm",
        audience=describe_audience(context, audience, language),
        count=count,
    )
    await _say(context, draft.user_id, text, markup)


def describe_audience(context: BotContext, audience: Audience, language: str) -> Html:
    scope = scope_label(context.services, audience.scope, language) if audience.scope else ""
    return t(language, f"broadcast.describe_{audience.kind}", scope=scope, days=audience.days)


def parse_when(text: str, now: datetime) -> datetime | None:
    """Local date and time as admins write them: 30/11 07:00, 30/11/2026 07:00,
    2026-11-30 07:00, or 07:00 (the next one to come)."""
    cleaned = text.strip()
    for pattern, form in _WHEN:
        match = pattern.match(cleaned)
        if not match:
            continue
        numbers = [int(g) for g in match.groups()]
        try:
            if form == "dmy":
                day, month, year, hour, minute = numbers
            elif form == "dm":
                day, month, hour, minute = numbers
                year = now.year
            elif form == "ymd":
                year, month, day, hour, minute = numbers
            else:
                hour, minute = numbers
                year, month, day = now.year, now.month, now.day
            moment = now.replace(
                year=year, month=month, day=day, hour=hour, minute=minute, second=0, microsecond=0
            )
        except ValueError:
            return None
        if form == "hm" and moment <= now:
            moment += timedelta(days=1)
        if form == "dm" and moment <= now:
            moment = moment.replace(year=now.year + 1)
        return moment
    return None


async def _take_when(
    message: Message, context: BotContext, draft: BroadcastDraft, language: str
) -> None:
    services = context.services
    local_now = services.clock.now().astimezone(services.settings.tz)
    moment = parse_when(message.text or "", local_now)
    if moment is None or moment <= local_now:
        await _say(context, draft.user_id, t(language, "broadcast.bad_when"))
        return
    broadcast_id = await _create(context, draft, moment, running=False)
    await services.store.broadcast_drafts.delete(draft.user_id)
    await _say(
        context,
        draft.user_id,
        t(language, "broadcast.scheduled", id=broadcast_id, when=f"{moment:%d/%m/%Y %H:%M %Z}"),
    )


async def _create(
    context: BotContext, draft: BroadcastDraft, when: datetime, *, running: bool
) -> int:
    services = context.services
    audience = Audience.from_json(draft.audience or "{}")
    total = await services.store.broadcasts.count_recipients(audience)
    broadcast_id = await services.store.broadcasts.create(
        author_id=draft.user_id,
        text=draft.text or "",
        photo_file_id=draft.photo_file_id,
        audience=audience,
        scheduled_at=when,
        total=total,
        running=running,
        progress_chat_id=draft.user_id,
    )
    services.waker()
    return broadcast_id


async def button(update: Update, context: BotContext) -> None:
    """``broadcast:…`` (bot/telegram/callbacks.py): every press re-checks that the presser is an
    admin."""
    query = update.callback_query
    language = await language_of(update, context)
    services = context.services
    user_id = query.from_user.id
    if not is_admin(services, user_id):
        await query.answer(t(language, "broadcast.admin_only"), show_alert=True)
        return
    data = query.data
    withdraw = callbacks.BROADCAST_WITHDRAW.parse(data)
    step = callbacks.BROADCAST_STEP.parse(data)
    chosen = callbacks.BROADCAST_AUDIENCE.parse(data)
    area = callbacks.BROADCAST_AREA.parse(data)
    days_press = callbacks.BROADCAST_DAYS.parse(data)
    action = step.word if step else ""
    if withdraw is not None:
        await _cancel_broadcast(update, context, withdraw.number, language)
        return
    draft = await services.store.broadcast_drafts.get(user_id)
    if draft is None:
        await query.answer(t(language, "common.stale_button"))
        await _drop(query.message)
        return
    await query.answer()
    if action == "cancel":
        await services.store.broadcast_drafts.delete(user_id)
        await _drop(query.message)
        await _say(context, user_id, t(language, "broadcast.cancelled_draft"))
    elif chosen is not None and draft.step in ("audience", "confirm", "days", "area"):
        await _drop(query.message)
        kind = chosen.word
        if kind not in AUDIENCES:
            await services.store.broadcast_drafts.save(draft.but(step="audience"))
            await _ask_audience(context, user_id, language)
        elif kind in ("area_citizens", "area_groups"):
            await services.store.broadcast_drafts.save(
                draft.but(step="area", audience=Audience(kind=kind).to_json())
            )
            await _say(context, user_id, t(language, "broadcast.ask_area"))
        else:
            await _confirm(context, draft.but(audience=Audience(kind=kind).to_json()), language)
    elif area is not None and draft.step == "area":
        scope = Scope(area.kind, area.key)
        if services.directory.choice(scope) is None:
            await _say(context, user_id, t(language, "common.stale_button"))
            return
        await _drop(query.message)
        await _area_chosen(context, draft, scope, language)
    elif days_press is not None and draft.step == "days":
        number = days_press.number
        await _drop(query.message)
        audience = Audience.from_json(draft.audience or "{}")
        days = number if number in DAY_CHOICES else 90
        changed = audience_for(services, audience.kind, audience.scope, days)
        await _confirm(context, draft.but(audience=changed.to_json()), language)
    elif action == "now" and draft.step == "confirm":
        await _drop(query.message)
        await _create(context, draft, services.clock.now(), running=True)
        await services.store.broadcast_drafts.delete(user_id)
    elif action == "schedule" and draft.step == "confirm":
        await _drop(query.message)
        await services.store.broadcast_drafts.save(draft.but(step="when"))
        await _say(context, user_id, t(language, "broadcast.ask_when"))
    elif action == "edit":
        await _drop(query.message)
        await services.store.broadcast_drafts.save(draft.but(step="text"))
        await _say(context, user_id, t(language, "broadcast.ask_text"))
    else:
        await _say(context, user_id, t(language, "common.stale_button"))


async def list_command(update: Update, context: BotContext) -> None:
    """/broadcasts: the latest ones with their counts; scheduled and running can be cancelled."""
    language = await language_of(update, context)
    services = context.services
    if not is_admin(services, update.effective_user.id):
        await update.effective_message.reply_text(
            t(language, "broadcast.admin_only"), parse_mode=ParseMode.HTML
        )
        return
    broadcasts = await services.store.broadcasts.recent()
    if not broadcasts:
        await update.effective_message.reply_text(
            t(language, "broadcast.none"), parse_mode=ParseMode.HTML
        )
        return
    lines, buttons = [], []
    for item in broadcasts:
        lines.append(await _line(context, item, language))
        if item.state in ("scheduled", "running"):
            buttons.append(
                [
                    _button(
                        language,
                        "broadcast.cancel_one",
                        callbacks.BROADCAST_WITHDRAW.data(callbacks.Number(item.id)),
                        id=item.id,
                    )
                ]
            )
    await update.effective_message.reply_text(
        Html("\n".join(lines)),
        parse_mode=ParseMode.HTML,
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


async def _cancel_broadcast(
    update: Update, context: BotContext, broadcast_id: int, language: str
) -> None:
    query = update.callback_query
    done = await context.services.store.broadcasts.finish(broadcast_id, "cancelled")
    key = "broadcast.cancelled" if done else "broadcast.not_cancellable"
    await query.answer(plain(language, key, id=broadcast_id), show_alert=not done)
    if done:
        await _say(context, query.from_user.id, t(language, key, id=broadcast_id))


async def stop_command(update: Update, context: BotContext) -> None:
    """/stop: no more announcements (reports and their follow-ups are unaffected)."""
    language = await language_of(update, context)
    await context.services.store.citizens.set_announcements(update.effective_user.id, on=False)
    await update.effective_message.reply_text(
        t(language, "broadcast.stopped"), parse_mode=ParseMode.HTML
    )


async def _drop(message: object) -> None:
    if isinstance(message, Message) and message.reply_markup is not None:
        try:
            await message.edit_reply_markup(None)
        except BadRequest:
            return
