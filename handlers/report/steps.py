"""A message in a private chat while a report is under way, handled by the step the draft is on.

The step lives in the draft row, so after a restart the next message is simply handled by the
step the draft says, with everything given so far.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.ext import ApplicationHandlerStop

from bot.domain import reporting
from bot.domain.reporting import (
    CATEGORY,
    DESCRIPTION,
    LOCATION,
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    MIN_DESCRIPTION,
    NEARBY,
    OFFER,
    PHOTOS,
    SUMMARY,
    DescriptionProblem,
    PhotoOutcome,
)
from bot.geo.places import place_label
from bot.i18n import plain, t
from bot.telegram.context import BotContext
from handlers import keyboards
from handlers.messages import location_of, photo_of
from handlers.narrow import message_of, user_of
from handlers.people import language_of
from handlers.report.labels import BACK, CANCEL, DONE, PHOTO_STEP_LABELS, REMOVE_PHOTOS, SKIP
from handlers.report.prompts import REPLY_KEYBOARD_STEPS, prompt, say
from handlers.report.start import cancel
from storage.drafts import Draft


async def during_report(update: Update, context: BotContext) -> None:
    """A non-command message in a private chat while a report is under way, handled by the step
    the draft is on; without a draft the message goes on to the next route (application.py)."""
    message = message_of(update)
    draft = await context.services.reporting.active_draft(user_of(update).id)
    if draft is None:
        return
    language = await language_of(update, context)
    text = message.text or ""
    if draft.step != OFFER and text in CANCEL:
        await cancel(context, draft, language)
    elif draft.step != OFFER and text in BACK:
        await _back(context, draft, language)
    else:
        await STEPS[draft.step](message, context, draft, language)
    raise ApplicationHandlerStop


async def _back(context: BotContext, draft: Draft, language: str) -> None:
    reporting_service = context.services.reporting
    previous = reporting.previous_step(draft.step)
    if previous is None:
        await prompt(context, draft, language)
        return
    moved = await reporting_service.go_to(draft, previous)
    await prompt(context, moved, language, keyboard_showing=draft.step in REPLY_KEYBOARD_STEPS)


async def _at_offer(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    """While the quick-report offer is open, more photos of the same album join the draft."""
    photo = photo_of(message)
    if photo is not None:
        draft, _ = await context.services.reporting.add_photo(draft, photo)
        if message.media_group_id:
            return
    await prompt(context, draft, language)


async def _at_category(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    await prompt(context, draft, language, prefix=t(language, "report.expect_category"))


async def _at_location(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    location = location_of(message)
    if location is None and message.text:
        await _typed_address(message, context, draft, language)
        return
    if location is None:
        await prompt(context, draft, language, prefix=t(language, "report.expect_location"))
        return
    lat, lon, name, address = location
    updated = await context.services.reporting.set_location(
        draft, lat, lon, place_name=name, address=address
    )
    place = place_label(context.services.areas, lat, lon, name, language)
    await prompt(
        context,
        updated,
        language,
        prefix=t(language, "report.location_received", place=place),
        keyboard_showing=True,
    )


async def _typed_address(
    message: Message, context: BotContext, draft: Draft, language: str
) -> None:
    """An address typed instead of a shared point: show what it found on a map and ask."""
    text = (message.text or "").strip()
    if len(text) < 3 or len(text) > 200:
        await prompt(context, draft, language, prefix=t(language, "report.expect_location"))
        return
    await context.bot.send_chat_action(draft.chat_id, ChatAction.FIND_LOCATION)
    found = await context.services.reporting.find_address(draft, text)
    if found is None or found.candidate is None:
        await prompt(context, draft, language, prefix=t(language, "report.address_not_found"))
        return
    candidate = found.candidate
    await context.bot.send_venue(
        draft.chat_id,
        candidate["lat"],
        candidate["lon"],
        title=plain(language, "report.address_pin_title"),
        address=candidate["label"][:200],
    )
    await say(
        context,
        found,
        t(language, "report.address_found", place=candidate["label"]),
        keyboards.candidate(found, language),
    )


async def _at_nearby(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    await prompt(context, draft, language, prefix=t(language, "nearby.use_buttons"))


async def _at_photos(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    reporting_service = context.services.reporting
    text = message.text or ""
    if text in DONE or text in SKIP:
        category = reporting_service.category_of(draft)
        if text in SKIP and category is not None and category.photo_required:
            await prompt(context, draft, language, prefix=t(language, "report.photos_needed"))
            return
        finished = await reporting_service.finish_photos(draft)
        if finished is None:
            await prompt(context, draft, language, prefix=t(language, "report.photos_needed"))
            return
        await prompt(context, finished, language, keyboard_showing=True)
        return
    if text in REMOVE_PHOTOS:
        cleared = await reporting_service.remove_photos(draft)
        await prompt(context, cleared, language, prefix=t(language, "report.photos_removed"))
        return
    photo = photo_of(message)
    if photo is None:
        key = "report.not_an_image" if message.document else "report.expect_photo"
        await prompt(context, draft, language, prefix=t(language, key))
        return
    updated, outcome = await reporting_service.add_photo(draft, photo)
    if outcome is PhotoOutcome.DUPLICATE:
        # Also what a photo replayed after a crash gets (bot/telegram/inbox.py) when its first
        # answer was lost: so it says where the report stands, with the step's buttons.
        count, category = len(draft.photos), reporting_service.category_of(draft)
        again = t(language, "report.photo_duplicate", count=count, max=MAX_PHOTOS)
        await say(context, draft, again, keyboards.photos(draft, category, language))
        return
    if outcome is PhotoOutcome.FULL:
        await say(context, draft, t(language, "report.photos_full", max=MAX_PHOTOS))
        return
    received = t(language, "report.photo_received", count=len(updated.photos), max=MAX_PHOTOS)
    if updated.step != PHOTOS:
        await prompt(context, updated, language, prefix=received, keyboard_showing=True)
        return
    category = reporting_service.category_of(updated)
    await say(context, updated, received, keyboards.photos(updated, category, language))


async def _at_description(
    message: Message, context: BotContext, draft: Draft, language: str
) -> None:
    text = message.text
    if text is None:
        await prompt(context, draft, language, prefix=t(language, "report.expect_description"))
        return
    if text in PHOTO_STEP_LABELS:
        await prompt(context, draft, language)  # where the report stands, not "too short"
        return
    problem = context.services.reporting.check_description(text)
    if problem is DescriptionProblem.TOO_SHORT:
        reason = t(
            language, "report.description_too_short", length=len(text.strip()), min=MIN_DESCRIPTION
        )
        await say(context, draft, reason, keyboards.description(language))
        return
    if problem is DescriptionProblem.TOO_LONG:
        reason = t(
            language, "report.description_too_long", length=len(text.strip()), max=MAX_DESCRIPTION
        )
        await say(context, draft, reason, keyboards.description(language))
        return
    updated = await context.services.reporting.set_description(draft, text)
    await prompt(
        context,
        updated,
        language,
        prefix=t(language, "report.description_saved"),
        keyboard_showing=True,
    )


async def _at_summary(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    await prompt(context, draft, language, prefix=t(language, "report.summary_buttons_hint"))


#: The handler for a message at each step of the draft.
STEPS: dict[str, Callable[[Message, BotContext, Draft, str], Awaitable[None]]] = {
    CATEGORY: _at_category,
    LOCATION: _at_location,
    NEARBY: _at_nearby,
    PHOTOS: _at_photos,
    DESCRIPTION: _at_description,
    SUMMARY: _at_summary,
    OFFER: _at_offer,
}
