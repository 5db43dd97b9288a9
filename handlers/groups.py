"""Kelurahan group chats: /link, /unlink and /area, the alert's status buttons, and officers'
replies to alerts (notes, "after" photos, reject reasons, duplicate numbers).
"""

from __future__ import annotations

import contextlib
import re

from telegram import ForceReply, Message, Update
from telegram.error import BadRequest

from bot.domain.alerts import alert_messages, recipients
from bot.domain.cases import TRANSITIONS, Actor, ChangeResult, Outcome
from bot.domain.permissions import is_admin, may_act_on
from bot.geo.places import area_label
from bot.i18n import Html, t
from bot.outbox.renderers import STATUS_ACTIONS, alert_card
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.areas import choice_keyboard, chosen_scope, scope_label
from handlers.people import language_of
from storage.alerts import PendingReply
from storage.drafts import DraftPhoto
from storage.groups import Scope
from storage.reports import Report

MAX_NOTE = 700
#: The statuses an alert card's buttons can set.
BUTTON_STATUSES = frozenset(STATUS_ACTIONS.values())
_NUMBER = re.compile(r"#?(\d{1,12})")
#: Statuses that need a word from the officer first, asked as a reply: (pending action, question).
_ASK_KEYS = {
    "rejected": ("reject", "alert.ask_reason"),
    "duplicate": ("duplicate", "alert.ask_duplicate"),
}


def _actor(update: Update, services_is_admin: bool) -> Actor:
    user = update.effective_user
    return Actor("admin" if services_is_admin else "officer", user.id, user.full_name)


# --- /link, /unlink, /area -------------------------------------------------------------------


async def _admin_in_group(update: Update, context: BotContext, language: str) -> bool:
    """Linking is done inside the group itself, and only by a WargaLapor admin."""
    message = update.effective_message
    if update.effective_chat.type == "private":
        await message.reply_text(t(language, "groups.link_in_group"))
        return False
    if not is_admin(context.services, update.effective_user.id):
        await message.reply_text(t(language, "groups.link_admin_only"))
        return False
    return True


async def link_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    message = update.effective_message
    services = context.services
    if not await _admin_in_group(update, context, language):
        return
    query = " ".join(context.args or []).strip()
    if not query:
        await message.reply_text(t(language, "groups.link_usage"))
        return
    choices = services.directory.resolve(query)
    if len(choices) == 1:
        await _link(update, context, choices[0].scope, language)
        return
    if choices:
        await message.reply_text(
            t(language, "groups.link_pick"),
            reply_markup=choice_keyboard(services, callbacks.LINK_AREA, choices, language),
        )
        return
    suggestions = services.directory.suggest(query)
    if suggestions:
        await message.reply_text(
            t(language, "groups.link_suggest", query=query),
            reply_markup=choice_keyboard(services, callbacks.LINK_AREA, suggestions, language),
        )
        return
    await message.reply_text(t(language, "groups.link_not_found", query=query))


async def link_chosen(update: Update, context: BotContext) -> None:
    """A picker button: the presser must be an admin too, whoever sent /link."""
    language = await language_of(update, context)
    scope = await chosen_scope(
        update, context, language, "groups.link_admin_only", callbacks.LINK_AREA
    )
    if scope is None:
        return
    await _drop_buttons(update.callback_query.message)
    await _link(update, context, scope, language)


async def _link(update: Update, context: BotContext, scope: Scope, language: str) -> None:
    services = context.services
    chat = update.effective_chat
    added = await services.store.groups.link(chat.id, [scope], chat.title, update.effective_user.id)
    key = "groups.linked" if added else "groups.linked_already"
    label = scope_label(services, scope, language)
    await context.bot.send_message(chat.id, t(language, key, scope=label))


async def unlink_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    message = update.effective_message
    services = context.services
    if not await _admin_in_group(update, context, language):
        return
    query = " ".join(context.args or []).strip()
    scopes = [choice.scope for choice in services.directory.resolve(query)] if query else None
    removed = await services.store.groups.unlink(update.effective_chat.id, scopes)
    key = "groups.unlinked" if removed else "groups.unlinked_none"
    await message.reply_text(t(language, key, count=removed))


async def area_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    services = context.services
    links = await services.store.groups.links_of(update.effective_chat.id)
    if not links:
        await update.effective_message.reply_text(t(language, "groups.area_none"))
        return
    scopes = Html("\n".join(f"• {scope_label(services, link.scope, language)}" for link in links))
    await update.effective_message.reply_text(t(language, "groups.area_list", scopes=scopes))


# --- /move: hand a report to another kelurahan ---------------------------------------------------


async def move_command(update: Update, context: BotContext) -> None:
    """``/move 1042 Pinangsia``: for officers of the report's area, and admins."""
    services = context.services
    language = services.settings.default_language
    message = update.effective_message
    args = context.args or []
    match = _NUMBER.fullmatch(args[0]) if args else None
    if match is None or len(args) < 2:
        await message.reply_text(t(language, "alert.move_usage"))
        return
    report = await services.store.reports.get(int(match.group(1)))
    if report is None:
        await message.reply_text(t(language, "tracking.not_found", ref=match.group(1)))
        return
    user = update.effective_user
    if not await may_act_on(services, context.bot, user.id, update.effective_chat.id, report):
        area = services.areas.by_code.get(report.area_code or "")
        await message.reply_text(
            t(language, "alert.not_officer", area=area_label(area, language)),
        )
        return
    choices = [
        c for c in services.directory.resolve(" ".join(args[1:])) if c.scope.kind == "kelurahan"
    ]
    if len(choices) != 1:
        await message.reply_text(t(language, "alert.move_which"))
        return
    target = services.areas.by_code[choices[0].scope.key]
    chats, reason = await recipients(services.store, target, services.settings.admin_chat_id)
    fresh = [c for c in chats if await services.store.alerts.card(report.id, c) is None]
    photos = len([p for p in await services.store.reports.photos(report.id) if p.role == "citizen"])
    place = area_label(target, language)
    result = await services.cases.move(
        report.id,
        target,
        _actor(update, is_admin(services, user.id)),
        note=t(language, "alert.moved_note", place=place),
        alerts=lambda report_id, event_id: alert_messages(
            report_id, fresh, photos=photos, reason=reason, cause=f"move{event_id}"
        ),
    )
    key = "alert.moved" if result.outcome is Outcome.CHANGED else "alert.move_same"
    await message.reply_text(t(language, key, ref=report.id, place=place))


# --- status buttons on alerts ------------------------------------------------------------------


async def status_pressed(update: Update, context: BotContext) -> None:
    """``status:<report>:<status>``. Permission and the current status are checked on every
    press."""
    query = update.callback_query
    services = context.services
    language = services.settings.default_language
    press = callbacks.STATUS.parse(query.data)
    report = None
    if press is not None and press.status in BUTTON_STATUSES:
        report = await services.store.reports.get(press.report)
    if report is None:
        await query.answer(t(language, "common.stale_button"))
        return
    user = query.from_user
    if not await may_act_on(services, context.bot, user.id, update.effective_chat.id, report):
        area = services.areas.by_code.get(report.area_code or "")
        await query.answer(
            t(language, "alert.not_officer", area=area_label(area, language)), show_alert=True
        )
        return
    new_status = press.status
    if new_status in _ASK_KEYS:
        await _ask(update, context, report, new_status, language)
        return
    actor = _actor(update, is_admin(services, user.id))
    result = await services.cases.change_status(report.id, new_status, actor)
    await _answer_change(update, context, result.outcome, result.report or report, language)
    if result.outcome is Outcome.CHANGED and new_status == "resolved":
        await _ask_reply(update, context, report, "after_photo", "alert.ask_after_photo", language)


async def _ask(
    update: Update, context: BotContext, report: Report, new_status: str, language: str
) -> None:
    """Reject and Duplicate need a word from the officer first: ask for it as a reply."""
    query = update.callback_query
    if new_status not in TRANSITIONS[report.status]:
        await _answer_change(update, context, Outcome.NOT_ALLOWED, report, language)
        return
    await query.answer()
    pending_action, key = _ASK_KEYS[new_status]
    await _ask_reply(update, context, report, pending_action, key, language)


async def _ask_reply(
    update: Update,
    context: BotContext,
    report: Report,
    action: str,
    key: str,
    language: str,
) -> None:
    question = await context.bot.send_message(
        update.effective_chat.id,
        t(language, key, ref=report.id),
        reply_markup=ForceReply(selective=True),
        reply_to_message_id=update.callback_query.message.message_id,
    )
    await context.services.store.alerts.ask(
        PendingReply(
            update.effective_chat.id,
            question.message_id,
            report.id,
            action,
            update.effective_user.id,
        )
    )


async def _answer_change(
    update: Update, context: BotContext, outcome: Outcome, report: Report, language: str
) -> None:
    """A popup for the presser; on a stale card, the card itself is brought up to date."""
    query = update.callback_query
    status = t(language, f"status.{report.status}")
    if outcome is Outcome.CHANGED:
        await query.answer(t(language, "alert.done_popup", ref=report.id, status=status))
        return
    key = "alert.unchanged_popup" if outcome is Outcome.UNCHANGED else "alert.not_allowed_popup"
    await query.answer(t(language, key, ref=report.id, status=status), show_alert=True)
    card = await alert_card(context.services, report)
    message = query.message
    if isinstance(message, Message):
        with contextlib.suppress(BadRequest):  # "not modified": it was already current
            await message.edit_text(card.text, reply_markup=card.markup)


# --- replies in groups -------------------------------------------------------------------------


def _photo(message: Message) -> DraftPhoto | None:
    if message.photo:
        return DraftPhoto(message.photo[-1].file_id, message.photo[-1].file_unique_id)
    document = message.document
    if document and (document.mime_type or "").startswith("image/"):
        return DraftPhoto(document.file_id, document.file_unique_id)
    return None


async def group_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's questions, or to an alert card (a note or a photo)."""
    message = update.effective_message
    target = message.reply_to_message
    if target is None or target.from_user is None or target.from_user.id != context.bot.id:
        return
    services = context.services
    chat_id = update.effective_chat.id
    pending = await services.store.alerts.pending_at(chat_id, target.message_id)
    card = None if pending else await services.store.alerts.card_at(chat_id, target.message_id)
    report_id = pending.report_id if pending else card.report_id if card else None
    if report_id is None:
        return
    language = services.settings.default_language
    report = await services.store.reports.get(report_id)
    if report is None:
        return
    user = update.effective_user
    if not await may_act_on(services, context.bot, user.id, chat_id, report):
        area = services.areas.by_code.get(report.area_code or "")
        await message.reply_text(
            t(language, "alert.only_officers_reply", area=area_label(area, language)),
        )
        return
    actor = _actor(update, is_admin(services, user.id))
    text = (message.text or message.caption or "").strip()[:MAX_NOTE] or None
    photo = _photo(message)
    if pending and pending.action == "reject":
        await _reject(message, context, report, actor, text, pending, language)
    elif pending and pending.action == "duplicate":
        await _duplicate(message, context, report, actor, text, pending, language)
    else:
        await _note(message, context, report, actor, text, photo, language)
        if pending:
            await services.store.alerts.answered(pending.chat_id, pending.message_id)


async def _reject(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    reason: str | None,
    pending: PendingReply,
    language: str,
) -> None:
    result = await context.services.cases.change_status(report.id, "rejected", actor, note=reason)
    if result.outcome is Outcome.NOTE_REQUIRED:
        await message.reply_text(t(language, "alert.reason_required"))
        return
    saved = t(language, "alert.reason_saved", ref=report.id, reason=reason or "")
    await _answered(message, context, report, result, pending, saved, language)


async def _duplicate(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    text: str | None,
    pending: PendingReply,
    language: str,
) -> None:
    match = _NUMBER.search(text or "")
    original = int(match.group(1)) if match else None
    services, user_id, chat_id = context.services, actor.id or 0, message.chat_id

    async def may_touch(other: Report) -> bool:
        return await may_act_on(services, context.bot, user_id, chat_id, other)

    result = await services.cases.change_status(
        report.id, "duplicate", actor, duplicate_of=original, may_touch_original=may_touch
    )
    if result.outcome is Outcome.BAD_DUPLICATE:
        await message.reply_text(t(language, "alert.bad_duplicate"))
        return
    if result.outcome is Outcome.ORIGINAL_FORBIDDEN:
        await message.reply_text(t(language, "alert.original_forbidden", original=original))
        return
    saved = t(language, "alert.duplicate_saved", ref=report.id, original=original)
    await _answered(message, context, report, result, pending, saved, language)


async def _answered(
    message: Message,
    context: BotContext,
    report: Report,
    result: ChangeResult,
    pending: PendingReply,
    saved: str,
    language: str,
) -> None:
    """The question is closed either way; the officer reads what happened, or why not."""
    await context.services.store.alerts.answered(pending.chat_id, pending.message_id)
    if result.outcome is not Outcome.CHANGED:
        status = t(language, f"status.{(result.report or report).status}")
        saved = t(language, "alert.not_allowed_popup", ref=report.id, status=status)
    await message.reply_text(saved)


async def _note(
    message: Message,
    context: BotContext,
    report: Report,
    actor: Actor,
    text: str | None,
    photo: DraftPhoto | None,
    language: str,
) -> None:
    if text is None and photo is None:
        await message.reply_text(t(language, "alert.reply_needs_content"))
        return
    await context.services.cases.add_note(report.id, actor, note=text, photo=photo)
    key = "alert.photo_saved" if photo else "alert.note_saved"
    await message.reply_text(t(language, key, ref=report.id))


async def _drop_buttons(message: object) -> None:
    if isinstance(message, Message) and message.reply_markup is not None:
        with contextlib.suppress(BadRequest):
            await message.edit_reply_markup(reply_markup=None)
