"""What a citizen sends besides text during a report: photos (one at a time or as an album), a
location at another step, and what the bot cannot use (voice, video, stickers, contacts).

Why here and not in each step: people send what they have when they have it. A photo is kept at
any step (its caption becoming the description when there is none yet) and a location replaces
the report's at any step; the answer then asks for whatever the report still lacks. What cannot
be used is answered with what the bot can take at that step, never silently dropped.

Albums: Telegram delivers an album as one update per photo, all with the same
``media_group_id``. Each photo is saved to the draft at once, as it comes; the answer waits until
no photo of the album has come for ``ALBUM_SECONDS`` and then counts all of them, so an album of
four gets one answer ("3 of 4 photos saved"), not four. The wait lives in PTB's job queue, in
memory: a crash inside it loses that one answer, never a photo (the draft has them all, and the
citizen's next message is answered from it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from telegram import Message
from telegram.ext import JobQueue

from bot.domain import descriptions
from bot.domain.reporting import (
    CATEGORY,
    DESCRIPTION,
    LOCATION,
    MAX_PHOTOS,
    MIN_DESCRIPTION,
    NEARBY,
    SUMMARY,
    CaptionUse,
    PhotoOutcome,
    PhotoResult,
)
from bot.i18n import t
from bot.telegram.context import BotContext
from handlers import keyboards
from handlers.messages import location_of
from handlers.report.prompts import deliver, place_text, prompt, say
from storage.drafts import Draft
from storage.photos import PhotoRef

ALBUM_SECONDS = 1.0
ALBUMS_KEY = "report_albums"


@dataclass
class Tally:
    """Photos received in one go (one photo, or an album so far) and what became of them."""

    sent: int = 0
    kept: int = 0
    duplicates: int = 0
    captions: list[CaptionUse] = field(default_factory=list)
    short_caption: int = 0  # the seen length of a caption too short to be the description

    def add(self, result: PhotoResult, caption: str | None) -> None:
        self.sent += 1
        self.kept += result.outcome is PhotoOutcome.ADDED
        self.duplicates += result.outcome is PhotoOutcome.DUPLICATE
        if result.caption is not None:
            self.captions.append(result.caption)
        if result.caption is CaptionUse.TOO_SHORT:
            self.short_caption = descriptions.length(caption or "")


@dataclass
class _Album:
    media_group_id: str
    language: str
    tally: Tally = field(default_factory=Tally)


def _albums(context: BotContext) -> dict[int, _Album]:
    albums: dict[int, _Album] = context.bot_data.setdefault(ALBUMS_KEY, {})
    return albums


async def photo_sent(
    message: Message, context: BotContext, draft: Draft, language: str, photo: PhotoRef
) -> None:
    """A photo at any step: kept, and answered (an album's photos once, together)."""
    result = await context.services.reporting.add_photo(draft, photo, message.caption)
    await received(message, context, result, language)


async def received(
    message: Message, context: BotContext, result: PhotoResult, language: str
) -> None:
    """Answer a photo just kept, or, for a photo of an album, wait for the album's others."""
    user_id = result.draft.user_id
    group = message.media_group_id
    if group is None:
        tally = Tally()
        tally.add(result, message.caption)
        await answer_photos(context, result.draft, language, tally)
        return
    albums = _albums(context)
    album = albums.get(user_id)
    if album is None or album.media_group_id != group:
        if album is not None:  # another album right after one: answer the first now
            await flush_album(context, user_id)
        album = albums[user_id] = _Album(group, language)
    album.tally.add(result, message.caption)
    _schedule(context, user_id)


def _schedule(context: BotContext, user_id: int) -> None:
    # The handler's context types its queue loosely; the application's is ours (BotContext).
    queue = cast("JobQueue[BotContext] | None", context.job_queue)
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    name = f"album:{user_id}"
    for job in queue.get_jobs_by_name(name):
        job.schedule_removal()
    queue.run_once(_album_done, ALBUM_SECONDS, data=user_id, name=name)


async def _album_done(context: BotContext) -> None:
    job = context.job
    if job is not None and isinstance(job.data, int):
        await flush_album(context, job.data)


async def flush_album(context: BotContext, user_id: int) -> None:
    """Answer the album still waiting for its answer, if any (its wait is over, or the citizen
    sent something else: the album's answer comes first)."""
    album = _albums(context).pop(user_id, None)
    if album is None:
        return
    queue = context.job_queue
    if queue is not None:
        for job in queue.get_jobs_by_name(f"album:{user_id}"):
            job.schedule_removal()
    draft = await context.services.reporting.active_draft(user_id)
    if draft is not None:
        await answer_photos(context, draft, album.language, album.tally)


async def answer_photos(context: BotContext, draft: Draft, language: str, tally: Tally) -> None:
    """One answer for photos received: what was kept, then what the report still lacks."""
    notes = []
    count = len(draft.photos)
    if tally.sent > 1 and tally.kept + tally.duplicates < tally.sent:
        kept = t(
            language, "report.album_some_kept", kept=tally.kept, sent=tally.sent, max=MAX_PHOTOS
        )
        notes.append(kept)
    elif tally.kept == 0 and tally.duplicates:
        notes.append(t(language, "report.photo_duplicate", count=count, max=MAX_PHOTOS))
    elif tally.kept == 0:
        notes.append(t(language, "report.photos_full", max=MAX_PHOTOS))
    elif draft.step in (LOCATION, DESCRIPTION):
        notes.append(t(language, "report.photo_received", count=count, max=MAX_PHOTOS))
    elif draft.step == NEARBY:
        notes.append(t(language, "report.photo_kept_nearby"))
    if CaptionUse.ADDED in tally.captions:
        notes.append(t(language, "report.caption_added"))
    if CaptionUse.TOO_SHORT in tally.captions and draft.description is None:
        length = tally.short_caption
        notes.append(t(language, "report.caption_too_short", length=length, min=MIN_DESCRIPTION))
    prefix = "\n".join(notes) or None
    if draft.long_description is not None and CaptionUse.TOO_LONG in tally.captions:
        await offer_cut(context, draft, language, prefix=prefix)
        return
    nothing_changed = tally.kept == 0 and tally.duplicates == 0 and not tally.captions
    if nothing_changed and draft.step == SUMMARY:
        await say(context, draft, prefix or "")  # the summary just above still holds
        return
    await prompt(context, draft, language, prefix=prefix)


async def offer_cut(
    context: BotContext, draft: Draft, language: str, *, prefix: str | None = None
) -> None:
    """A description over the limit is kept: offer to cut it, showing what would be lost."""
    cut = context.services.reporting.cut_of(draft)
    assert cut is not None and draft.long_description is not None
    text = t(
        language,
        "report.long_offer",
        length=descriptions.length(draft.long_description),
        max=descriptions.MAX_DESCRIPTION,
        lost=cut.lost_length,
        excerpt=descriptions.excerpt(cut.lost),
    )
    lead = f"{prefix}\n" if prefix else ""
    await deliver(context, draft, lead + text, keyboards.long_description(language))


async def location_sent(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    """A location at a step other than the location's: it is the report's location now."""
    found = location_of(message)
    assert found is not None
    lat, lon, name, address = found
    updated = await context.services.reporting.set_location(
        draft, lat, lon, place_name=name, address=address
    )
    prefix = None
    if updated.step != CATEGORY:  # the category question itself says a location came
        prefix = t(
            language, "report.location_changed", place=place_text(context, updated, language)
        )
    await prompt(context, updated, language, prefix=prefix)


#: What the bot cannot use in a report, by the message's kind: the key of its answer.
_CANNOT = (
    ("voice", "report.cannot_voice"),
    ("audio", "report.cannot_voice"),
    ("video_note", "report.cannot_video"),
    ("video", "report.cannot_video"),
    ("animation", "report.cannot_video"),
    ("sticker", "report.cannot_sticker"),
    ("contact", "report.cannot_contact"),
)


def unusable(message: Message) -> str | None:
    """The answer's key for something the report cannot take (None for text, a photo, an image
    file, a location, or another file, which the step itself answers)."""
    for attribute, key in _CANNOT:
        if getattr(message, attribute, None):
            return key
    if message.text or message.photo or message.document or message.location or message.venue:
        return None
    return "report.cannot_other"


async def unusable_sent(
    message: Message, context: BotContext, draft: Draft, language: str, key: str
) -> None:
    """Say what it was, then ask again for what this step takes (a contact's number is neither
    kept nor repeated)."""
    await prompt(context, draft, language, prefix=t(language, key))
