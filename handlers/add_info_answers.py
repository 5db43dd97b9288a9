"""What the reporter is told after sending something for a report (bot/domain/additions.py),
and how an album gets one answer however many photos it has.

An album reaches the bot as one message per photo. The first photo is answered; the others
join it in silence, and when the photo limit stops some of them, the first answer is edited to
say so instead of a second message arriving. Which album got which answer is kept in memory
(a few hundred albums): after a restart mid-album the worst case is one more message.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.domain import additions
from bot.domain.additions import AddResult, Outcome
from bot.domain.reporting import MAX_DESCRIPTION, MIN_DESCRIPTION
from bot.i18n import Html, plain, t
from bot.telegram import callbacks
from bot.telegram.context import BotContext

ALBUMS_KEY = "addition_albums"
ALBUMS_REMEMBERED = 500

#: What the citizen may simply send again: the prompt stays open for their next message.
SEND_AGAIN = frozenset({Outcome.EMPTY, Outcome.TOO_SHORT, Outcome.TOO_LONG})


@dataclass
class AlbumAnswer:
    report_id: int
    answer_id: int | None  # the message that answered the album's first photo
    refused: bool  # some photo of it was refused, and the citizen was told


class AlbumAnswers:
    """The albums answered lately, by (chat, media_group_id), oldest forgotten first."""

    def __init__(self, capacity: int = ALBUMS_REMEMBERED) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[int, str], AlbumAnswer] = OrderedDict()

    def get(self, chat_id: int, album: str) -> AlbumAnswer | None:
        return self._items.get((chat_id, album))

    def put(self, chat_id: int, album: str, answer: AlbumAnswer) -> None:
        self._items[(chat_id, album)] = answer
        self._items.move_to_end((chat_id, album))
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)


def albums(context: BotContext) -> AlbumAnswers:
    found = context.bot_data.get(ALBUMS_KEY)
    if not isinstance(found, AlbumAnswers):
        found = context.bot_data[ALBUMS_KEY] = AlbumAnswers()
    return found


def reply_markup_for(result: AddResult, language: str) -> InlineKeyboardMarkup | None:
    """A resolved report is answered with the way on: "not fixed?" reopens it."""
    if result.outcome is not Outcome.RESOLVED or result.report is None:
        return None
    data = callbacks.SURVEY.data(callbacks.Answer(result.report.id, "not-fixed"))
    button = InlineKeyboardButton(plain(language, "followup.not_fixed"), callback_data=data)
    return InlineKeyboardMarkup([[button]])


def answer_text(
    context: BotContext, result: AddResult, report_id: int, text: str | None, language: str
) -> Html:
    outcome, report = result.outcome, result.report
    ref = report.id if report is not None else report_id
    length = len((text or "").strip())
    if outcome in (Outcome.ADDED, Outcome.JOINED, Outcome.ALREADY):
        return t(language, "additions.added", ref=ref)
    if outcome is Outcome.NOT_FOUND:
        return t(language, "tracking.not_found", ref=ref)
    if outcome is Outcome.FINISHED and report is not None:
        status = t(language, f"status.{report.status}")
        return t(language, "additions.finished", ref=ref, status=status)
    if outcome is Outcome.DUPLICATE and report is not None:
        return t(language, "additions.duplicate", ref=ref, original=report.duplicate_of or "?")
    if outcome is Outcome.TOO_SHORT:
        return t(language, "additions.too_short", ref=ref, length=length, min=MIN_DESCRIPTION)
    if outcome is Outcome.TOO_LONG:
        return t(language, "additions.too_long", ref=ref, length=length, max=MAX_DESCRIPTION)
    if outcome is Outcome.PHOTOS_FULL:
        return t(language, "additions.photos_full", ref=ref, max=additions.MAX_ADDED_PHOTOS)
    if outcome is Outcome.RATE_LIMITED and result.retry_at is not None:
        local = result.retry_at.astimezone(context.services.settings.tz)
        return t(
            language,
            "additions.rate_limited",
            ref=ref,
            max=additions.MAX_PER_HOUR,
            time=local.strftime("%H:%M"),
        )
    return t(language, f"additions.{outcome.value}", ref=ref)


async def answer(
    message: Message,
    context: BotContext,
    result: AddResult,
    report_id: int,
    language: str,
) -> None:
    """Tell the citizen what became of their message; an album once (see module docstring)."""
    text = message.text or message.caption
    album = message.media_group_id
    memory = albums(context)
    seen = memory.get(message.chat_id, album) if album else None
    if album is not None and (seen is not None or result.album_started):
        if result.outcome is Outcome.PHOTOS_FULL and seen is not None and not seen.refused:
            seen.refused = True
            if seen.answer_id is not None:
                most = additions.MAX_ADDED_PHOTOS
                partly = t(language, "additions.added_partly", ref=report_id, max=most)
                with contextlib.suppress(BadRequest):  # too old to edit: the first answer stays
                    await context.bot.edit_message_text(
                        partly, chat_id=message.chat_id, message_id=seen.answer_id
                    )
        return  # the album was answered with its first photo
    sent = await message.reply_text(
        answer_text(context, result, report_id, text, language),
        reply_markup=reply_markup_for(result, language),
    )
    if result.outcome not in additions.REFUSALS:
        # "Added", "too short"…: a reply to this answer goes to the same report.
        await context.services.additions.remember(message.chat_id, sent.message_id, report_id)
    if album is not None:
        refused = result.outcome not in (Outcome.ADDED, Outcome.JOINED, Outcome.ALREADY)
        memory.put(message.chat_id, album, AlbumAnswer(report_id, sent.message_id, refused))


async def tell(
    context: BotContext, chat_id: int, result: AddResult, report_id: int, language: str
) -> None:
    """Say where a report stands to a button's presser (no message of theirs to answer)."""
    await context.bot.send_message(
        chat_id,
        answer_text(context, result, report_id, None, language),
        reply_markup=reply_markup_for(result, language),
    )
