"""➕ Add information: after filing, the reporter adds a text or a photo to their report.

Three ways in, all ending in :func:`bot.domain.additions.AdditionService.add` (which checks,
again, who may add what to which report):

- a **reply** to one of the bot's messages about a report (the reference, a follow-up, a
  ``/status`` answer, this feature's own prompts and answers), with a text, a photo or an album.
  Which message is about which report is stored when it is sent (``report_messages``), not read
  back from its text: the reference would have to be parsed out of wording that changes with
  the language and the catalogs, a follow-up about a duplicate names two reports, and a photo's
  caption may have none;
- the **button** on ``/status`` answers and follow-ups: the next text or photo is for that report
  (one open prompt per citizen, for half an hour; Cancel, or ``/cancel``, withdraws it);
- the other photos of an **album** whose first photo was added, with or without a reply.

Routes (bot/telegram/application.py): a reply or an album's photo is looked at before a report
under way, so a reply about #1001 never becomes a photo of the new draft; the prompt's answer
only after it, so a draft in progress still gets every plain message.
"""

from __future__ import annotations

import contextlib

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, filters

from bot.domain.additions import Addition, AddResult, Outcome, refusal
from bot.i18n import Html, plain, t
from bot.outbox.addition_views import with_add_info
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers import agency_admin
from handlers.add_info_answers import SEND_AGAIN, albums, answer, tell
from handlers.messages import location_of, photo_of
from handlers.narrow import message_of, query_of, user_of
from handlers.people import language_of
from handlers.report import start as report_start
from storage.reports import Report


class _InAlbum(filters.MessageFilter):
    """A photo (or file) sent as part of an album."""

    def filter(self, message: Message) -> bool:
        return message.media_group_id is not None


#: What :func:`reply_or_album` looks at: replies, and the photos of albums.
REPLY_OR_ALBUM = filters.REPLY | _InAlbum()


def addition_of(message: Message) -> Addition:
    """A text, a photo (or an image sent as a file) with its caption; anything else (a voice
    note, a video, a sticker, a location) is nothing to add, caption and all, so that the
    citizen hears it was not taken instead of seeing only its caption arrive."""
    photo = photo_of(message)
    taken = photo is not None or message.effective_attachment is None
    return Addition(
        chat_id=message.chat_id,
        message_id=message.message_id,
        text=(message.text or message.caption) if taken else None,
        photo=photo,
        media_group_id=message.media_group_id,
    )


async def reply_or_album(update: Update, context: BotContext) -> None:
    """A reply to a bot message about a report, or a later photo of an album added to one: it
    goes to that report. Anything else goes on to the next route."""
    message = message_of(update)
    additions = context.services.additions
    report_id = None
    album = message.media_group_id
    if album is not None:
        remembered = albums(context).get(message.chat_id, album)
        if remembered is not None:
            report_id = remembered.report_id
        else:
            report_id = await additions.report_of_album(user_of(update).id, album)
    target = message.reply_to_message
    if report_id is None and target is not None and _from_the_bot(target, context):
        report_id = await additions.report_of_message(message.chat_id, target.message_id)
    if report_id is None:
        return
    await _add(message, context, report_id, await language_of(update, context))
    raise ApplicationHandlerStop


def _from_the_bot(message: Message, context: BotContext) -> bool:
    return message.from_user is not None and message.from_user.id == context.bot.id


async def answer_prompt(message: Message, context: BotContext, language: str) -> bool:
    """The message after "➕ Add information" is for that report; False when no prompt is open
    (or it lapsed), so the message goes on to the next route."""
    if location_of(message) is not None:  # a place: the start of a report, as ever
        await context.services.additions.close_prompt(message.chat_id)
        return False
    report_id = await context.services.additions.asked(message.chat_id)
    if report_id is None:
        return False
    await _add(message, context, report_id, language)
    return True


async def _add(message: Message, context: BotContext, report_id: int, language: str) -> None:
    additions = context.services.additions
    user_id = message.chat_id  # a private chat's id is its person's
    result = await additions.add(report_id, user_id, addition_of(message))
    if result.outcome in SEND_AGAIN:
        await additions.ask(user_id, report_id)  # their next message is for this report
    elif result.outcome is not Outcome.JOINED:
        await additions.close_prompt(user_id)
    await answer(message, context, result, report_id, language)


# -- the button, its prompt and /cancel -----------------------------------------------------------


async def add_info_pressed(update: Update, context: BotContext) -> None:
    """``add-info:<ref>:add`` asks for the text or photo; ``…:cancel`` withdraws the prompt."""
    query = query_of(update)
    language = await language_of(update, context)
    services = context.services
    press = callbacks.ADD_INFO.parse(query.data)
    if press is None or press.answer not in ("add", "cancel"):
        await query.answer(t(language, "common.stale_button"))
        return
    user = query.from_user
    if press.answer == "cancel":
        await query.answer()
        if await services.additions.asked(user.id) == press.report:
            await services.additions.close_prompt(user.id)
        with contextlib.suppress(BadRequest):  # "not modified": Cancel tapped twice
            await query.edit_message_text(t(language, "additions.cancelled", ref=press.report))
        return
    report = await services.store.reports.get(press.report)
    refused = refusal(report, user.id)
    if refused in (Outcome.NOT_REPORTER, Outcome.NOT_FOUND):  # a forged or passed-on button
        key = "additions.not_reporter" if refused is Outcome.NOT_REPORTER else "tracking.not_found"
        await query.answer(plain(language, key, ref=press.report), show_alert=True)
        return
    await query.answer()
    if refused is not None:  # the report moved on since the button was shown: say where to
        await tell(context, user.id, AddResult(refused, report), press.report, language)
        return
    assert report is not None
    await services.additions.ask(user.id, report.id)
    drafting = await services.reporting.active_draft(user.id) is not None
    key = "additions.prompt_in_draft" if drafting else "additions.prompt"
    cancel = InlineKeyboardButton(
        plain(language, "additions.cancel_button"),
        callback_data=callbacks.ADD_INFO.data(callbacks.Answer(report.id, "cancel")),
    )
    sent = await context.bot.send_message(
        user.id, t(language, key, ref=report.id), reply_markup=InlineKeyboardMarkup([[cancel]])
    )
    await services.additions.remember(user.id, sent.message_id, report.id)


async def cancel_command(update: Update, context: BotContext) -> None:
    """/cancel withdraws an open ➕ prompt (or an admin's question about an agency's area); with
    a report under way it cancels that, as ever."""
    if await agency_admin.cancel_question(update, context):
        return
    user = user_of(update)
    additions = context.services.additions
    report_id = await additions.asked(user.id)
    if report_id is not None:
        await additions.close_prompt(user.id)
        if await context.services.reporting.active_draft(user.id) is None:
            language = await language_of(update, context)
            await message_of(update).reply_text(t(language, "additions.cancelled", ref=report_id))
            return
    await report_start.cancel_command(update, context)


# -- other handlers' messages about a report ------------------------------------------------------


async def send_about_report(
    context: BotContext,
    chat: Chat,
    user_id: int,
    report: Report,
    text: Html,
    language: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send ``text`` about ``report`` (with ``markup``) into a chat: in a private chat with
    "➕ Add information" below for its reporter, and remembered, so a reply to it adds to the
    report."""
    if chat.type != Chat.PRIVATE:
        await context.bot.send_message(chat.id, text, reply_markup=markup)
        return
    markup = with_add_info(markup, report, user_id, language)
    sent = await context.bot.send_message(chat.id, text, reply_markup=markup)
    await context.services.additions.remember(chat.id, sent.message_id, report.id)
