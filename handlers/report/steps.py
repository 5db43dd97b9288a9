"""A message in a private chat while a report is under way, handled by the step the draft is on.

The step lives in the draft row, so after a restart the next message is simply handled by the
step the draft says, with everything given so far. Photos, a location sent at another step and
what cannot be used are the same at every step (handlers/report/media.py); so are the buttons
every step's keyboard has (cancel, back) and a category's button tapped again later. Text is
the step's: its buttons' labels (reply keyboards send them as text) or what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Message, ReplyKeyboardRemove, Update
from telegram.constants import ChatAction
from telegram.ext import ApplicationHandlerStop

from bot.domain import descriptions, reporting
from bot.domain.category_names import typed_category
from bot.domain.reporting import (
    CATEGORY,
    DESCRIPTION,
    LOCATION,
    MIN_DESCRIPTION,
    NEARBY,
    OFFER,
    PHOTOS,
    SUMMARY,
    DescriptionProblem,
)
from bot.i18n import LANGUAGES, plain, t
from bot.telegram.context import BotContext
from handlers import keyboards
from handlers.messages import location_of, photo_of
from handlers.narrow import message_of, user_of
from handlers.people import language_of
from handlers.report import media, summary
from handlers.report.labels import (
    ADDRESS_YES,
    BACK,
    CANCEL,
    CUT,
    DIFFERENT,
    PHOTO_STEP_LABELS,
    REMOVE_PHOTOS,
    REWRITE,
)
from handlers.report.prompts import deliver, place_text, prompt, say
from handlers.report.start import cancel
from storage.drafts import Draft


async def during_report(update: Update, context: BotContext) -> None:
    """A non-command message in a private chat while a report is under way, handled by the step
    the draft is on; without a draft the message goes on to the next route (application.py)."""
    message = message_of(update)
    user_id = user_of(update).id
    if not message.media_group_id:
        await media.flush_album(context, user_id)
    draft = await context.services.reporting.active_draft(user_id)
    if draft is None:
        return
    language = await language_of(update, context)
    text = message.text or ""
    photo = photo_of(message)
    unusable = media.unusable(message)
    if draft.step == OFFER:
        await _at_offer(message, context, draft, language)
    elif text in CANCEL:
        await cancel(context, draft, language)
    elif text in BACK:
        await _back(context, draft, language)
    elif text in CUT or text in REWRITE:
        await _long_description(context, draft, language, cut=text in CUT)
    elif draft.step != CATEGORY and _category_label(context, text) is not None:
        await _category_again(context, draft, language, _category_label(context, text))
    elif photo is not None:
        await media.photo_sent(message, context, draft, language, photo)
    elif location_of(message) is not None and draft.step != LOCATION:
        await media.location_sent(message, context, draft, language)
    elif unusable is not None:
        await media.unusable_sent(message, context, draft, language, unusable)
    elif message.document is not None:
        await prompt(context, draft, language, prefix=t(language, "report.not_an_image"))
    else:
        await STEPS[draft.step](message, context, draft, language)
    raise ApplicationHandlerStop


async def _back(context: BotContext, draft: Draft, language: str) -> None:
    previous = reporting.previous_step(draft.step)
    if previous is None:
        await prompt(context, draft, language)
        return
    await prompt(context, await context.services.reporting.go_to(draft, previous), language)


def _category_label(context: BotContext, text: str) -> str | None:
    """The category whose button label ``text`` is exactly (a tap on the category keyboard)."""
    for category in context.services.categories.values():
        if any(text == category.label(language) for language in LANGUAGES):
            return category.key
    return None


async def _category_again(
    context: BotContext, draft: Draft, language: str, key: str | None
) -> None:
    """A category's button after the category step: a double tap (the same one, so the step
    the report is at is asked again), or the citizen putting a wrong tap right."""
    assert key is not None
    if key == draft.category_key:
        await prompt(context, draft, language)
        return
    changed = await context.services.reporting.set_category(draft, key)
    category = context.services.categories[key]
    note = t(language, "report.category_changed", category=category.label(language))
    await prompt(context, changed, language, prefix=note)


async def _long_description(context: BotContext, draft: Draft, language: str, *, cut: bool) -> None:
    """The answer to the offer to cut an over-long description."""
    reporting_service = context.services.reporting
    if draft.long_description is None:  # a second tap: it was answered already
        await prompt(context, draft, language)
        return
    if cut:
        updated = await reporting_service.cut_long_description(draft)
        assert updated is not None
        await prompt(context, updated, language)
        return
    kept = await reporting_service.drop_long_description(draft)
    shorter = t(language, "report.ask_description_shorter", max=descriptions.MAX_DESCRIPTION)
    if kept.step == DESCRIPTION:
        await deliver(context, kept, shorter, keyboards.description(language))
    else:
        await prompt(context, kept, language, prefix=shorter)


async def _at_offer(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    """A draft saved before the quick report asked for the category itself: while its yes/no
    is open, more photos of the same album join it."""
    photo = photo_of(message)
    if photo is not None:
        result = await context.services.reporting.add_photo(draft, photo)
        draft = result.draft
        if message.media_group_id:
            return
    await prompt(context, draft, language)


async def _at_category(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    """A category's button (its label comes as text) or its typed name ("banjir", "lampu
    mati", "garbage") picks it."""
    text = message.text or ""
    found = typed_category(text, list(context.services.categories.values()))
    if len(found) == 1:
        updated = await context.services.reporting.set_category(draft, found[0].key)
        await prompt(context, updated, language)
        return
    key = "report.category_ambiguous" if found else "report.expect_category"
    await prompt(context, draft, language, prefix=t(language, key, text=text.strip()[:40]))


async def _at_location(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    location = location_of(message)
    if location is None and (message.text or "") in ADDRESS_YES:
        await _candidate_accepted(context, draft, language)
        return
    if location is None:
        await _typed_address(message, context, draft, language)
        return
    lat, lon, name, address = location
    updated = await context.services.reporting.set_location(
        draft, lat, lon, place_name=name, address=address
    )
    await prompt(context, updated, language, prefix=_received(context, updated, language))


async def _candidate_accepted(context: BotContext, draft: Draft, language: str) -> None:
    """The place found for what the citizen typed is the right one."""
    updated = await context.services.reporting.accept_candidate(draft)
    if updated is None:  # nothing was found to say yes to (a double tap)
        await prompt(context, draft, language)
        return
    await prompt(context, updated, language, prefix=_received(context, updated, language))


def _received(context: BotContext, draft: Draft, language: str) -> str | None:
    """The place just taken, as the next question's first line (the summary shows it anyway)."""
    if draft.step == SUMMARY:
        return None
    return t(language, "report.location_received", place=place_text(context, draft, language))


def _not_found(context: BotContext, language: str) -> str:
    """What a typed place not found says: the offline geocoder knows area names only."""
    if context.services.reporting.knows_streets:
        return t(language, "report.address_not_found")
    return t(language, "report.address_not_found_offline")


async def _typed_address(
    message: Message, context: BotContext, draft: Draft, language: str
) -> None:
    """An address typed instead of a shared point: show what it found on a map and ask."""
    text = (message.text or "").strip()
    if len(text) < 3 or len(text) > 200:
        await prompt(context, draft, language, prefix=_not_found(context, language))
        return
    await context.bot.send_chat_action(draft.chat_id, ChatAction.FIND_LOCATION)
    found = await context.services.reporting.find_address(draft, text)
    if found is None or found.candidate is None:
        await prompt(context, draft, language, prefix=_not_found(context, language))
        return
    candidate = found.candidate
    await context.bot.send_venue(
        draft.chat_id,
        candidate["lat"],
        candidate["lon"],
        title=plain(language, "report.address_pin_title"),
        address=candidate["label"][:200],
    )
    question = t(language, "report.address_found", place=candidate["label"])
    await say(context, found, question, keyboards.candidate(language))


async def _at_nearby(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    """Follow one of the reports nearby (its button names it), or go on with a new one."""
    text = message.text or ""
    reporting_service = context.services.reporting
    if text in DIFFERENT:
        await prompt(context, await reporting_service.mine_is_different(draft), language)
        return
    for item in await reporting_service.nearby(draft):
        ref = item.report.id
        if any(text == plain(lang, "nearby.follow", ref=ref) for lang in LANGUAGES):
            added = await context.services.cases.follow(ref, draft.user_id)
            await reporting_service.discard(draft.user_id)
            key = "nearby.followed" if added else "nearby.already_following"
            await say(context, draft, t(language, key, ref=ref), ReplyKeyboardRemove())
            return
    await prompt(context, draft, language, prefix=t(language, "nearby.use_buttons"))


async def _at_photos(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    """Text at the photo step is the description; for a category that can do without a photo
    it also goes on without one (as Skip does)."""
    text = message.text or ""
    if text in PHOTO_STEP_LABELS:
        await _photo_step_button(context, draft, language, text)
        return
    category = context.services.reporting.category_of(draft)
    optional = category is not None and not category.photo_required
    if not optional and descriptions.problem(text) is DescriptionProblem.TOO_SHORT:
        await prompt(context, draft, language, prefix=t(language, "report.photos_needed"))
        return
    await _description_typed(context, draft, language, text)


async def _photo_step_button(context: BotContext, draft: Draft, language: str, text: str) -> None:
    reporting_service = context.services.reporting
    if text in REMOVE_PHOTOS:
        cleared = await reporting_service.remove_photos(draft)
        await prompt(context, cleared, language, prefix=t(language, "report.photos_removed"))
        return
    finished = await reporting_service.finish_photos(draft)
    if finished is None:
        await prompt(context, draft, language, prefix=t(language, "report.photos_needed"))
        return
    await prompt(context, finished, language)


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
    await _description_typed(context, draft, language, text)


async def _description_typed(context: BotContext, draft: Draft, language: str, text: str) -> None:
    """A typed description: taken, too short (said so), or over the limit (kept, and the
    citizen is offered to cut it)."""
    reporting_service = context.services.reporting
    problem = reporting_service.check_description(text)
    if problem is DescriptionProblem.TOO_SHORT:
        reason = t(
            language,
            "report.description_too_short",
            length=descriptions.length(text),
            min=MIN_DESCRIPTION,
        )
        await say(context, draft, reason)  # the step's keyboard stays
        return
    if problem is DescriptionProblem.TOO_LONG:
        kept = await reporting_service.keep_long_description(draft, text)
        await media.offer_cut(context, kept, language)
        return
    updated = await reporting_service.set_description(draft, text)
    prefix = t(language, "report.described_needs_photo") if updated.step == PHOTOS else None
    await prompt(context, updated, language, prefix=prefix)


#: The handler for a text message at each step of the draft.
STEPS: dict[str, Callable[[Message, BotContext, Draft, str], Awaitable[None]]] = {
    CATEGORY: _at_category,
    LOCATION: _at_location,
    NEARBY: _at_nearby,
    PHOTOS: _at_photos,
    DESCRIPTION: _at_description,
    SUMMARY: summary.at_summary,
    OFFER: _at_offer,
}
