"""The citizen's report conversation in a private chat.

Every handler here follows the same order: load the draft, let the service change and save it, then
answer. The step a citizen is on lives in the draft row, so after a restart the next message is
simply handled by the step the draft says, with everything given so far.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime

from telegram import Message, ReplyKeyboardRemove, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest

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
    Nearby,
    PhotoOutcome,
    SubmitKind,
)
from bot.geo.places import place_label, short_place
from bot.i18n import Html, plain, t
from bot.ids import parse_id
from bot.telegram.context import BotContext
from handlers import broadcast, keyboards, survey
from handlers.keyboards import reply_labels
from handlers.people import language_of
from storage.drafts import Draft, DraftPhoto

log = logging.getLogger(__name__)

REPLY_KEYBOARD_STEPS = frozenset({LOCATION, PHOTOS, DESCRIPTION})
BACK = reply_labels("report.back")
CANCEL = reply_labels("report.cancel")
DONE = reply_labels("report.done")
SKIP = reply_labels("report.skip")
REMOVE_PHOTOS = reply_labels("report.remove_photos")
KEYBOARD_LABELS = BACK | CANCEL | DONE | SKIP | REMOVE_PHOTOS
#: The photo step's buttons arriving at the description step: a double tap on a slow line, or a
#: tap replayed after a crash (bot/telegram/inbox.py) whose first run already moved the report on.
PHOTO_STEP_LABELS = DONE | SKIP | REMOVE_PHOTOS


async def _say(context: BotContext, draft: Draft, text: str, markup: object = None) -> Message:
    return await context.bot.send_message(
        draft.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


def _summary_text(context: BotContext, draft: Draft, language: str) -> Html:
    services = context.services
    category = services.reporting.category_of(draft)
    assert category is not None and draft.lat is not None and draft.lon is not None
    return t(
        language,
        "report.summary",
        category=category.label(language),
        place=place_label(
            services.areas, draft.lat, draft.lon, draft.place_name, language, draft.address
        ),
        photos=len(draft.photos) if draft.photos else t(language, "report.no_photos"),
        description=draft.description or "",
    )


async def prompt(
    context: BotContext,
    draft: Draft,
    language: str,
    *,
    prefix: str | None = None,
    keyboard_showing: bool = False,
) -> None:
    """Ask for what the draft's current step needs, with that step's keyboard.

    ``keyboard_showing`` says a reply keyboard from an earlier step is on screen: steps that use
    inline buttons first take it away, carried by the prefix line when there is one.
    """
    step = draft.step
    category = context.services.reporting.category_of(draft)
    if step not in REPLY_KEYBOARD_STEPS and keyboard_showing:
        await _say(context, draft, prefix or "👌", ReplyKeyboardRemove())
        prefix = None
    lead = f"{prefix}\n\n" if prefix else ""
    if step == CATEGORY:
        items = context.services.categories.values()
        await _say(
            context,
            draft,
            lead + t(language, "report.ask_category"),
            keyboards.categories(draft, items, language),
        )
    elif step == LOCATION:
        await _say(
            context,
            draft,
            lead + t(language, "report.ask_location"),
            keyboards.location_request(language),
        )
    elif step == NEARBY:
        nearby = await context.services.reporting.nearby(draft)
        if not nearby:  # closed meanwhile: nothing left to compare with
            moved = await context.services.reporting.mine_is_different(draft)
            await prompt(context, moved, language, prefix=prefix)
            return
        lines = Html("\n".join(_nearby_line(context, item, language) for item in nearby))
        await _say(
            context,
            draft,
            lead + t(language, "nearby.found", lines=lines),
            keyboards.nearby(draft, [item.report.id for item in nearby], language),
        )
    elif step == PHOTOS:
        optional = category is not None and not category.photo_required
        text = t(language, "report.ask_photos_optional" if optional else "report.ask_photos")
        if draft.photos:
            text = Html(f"{text}\n{t(language, 'report.photos_so_far', count=len(draft.photos))}")
        await _say(context, draft, lead + text, keyboards.photos(draft, category, language))
    elif step == DESCRIPTION:
        text = t(language, "report.ask_description")
        if draft.description:
            text = Html(f"{text}\n\n<i>{t(language, 'report.current', text=draft.description)}</i>")
        await _say(context, draft, lead + text, keyboards.description(language))
    elif step == SUMMARY:
        await _say(
            context,
            draft,
            lead + _summary_text(context, draft, language),
            keyboards.summary(draft, language),
        )
    elif step == OFFER:
        key = "report.offer_photo" if draft.photos else "report.offer_location"
        await _say(context, draft, lead + t(language, key), keyboards.quick_offer(draft, language))


def _age(created_at: str, language: str) -> Html:
    minutes = max(
        0, int((datetime.now(UTC) - datetime.fromisoformat(created_at)).total_seconds() // 60)
    )
    if minutes < 60:
        return t(language, "nearby.age_minutes", n=minutes)
    if minutes < 48 * 60:
        return t(language, "nearby.age_hours", n=minutes // 60)
    return t(language, "nearby.age_days", n=minutes // (24 * 60))


def _nearby_line(context: BotContext, item: Nearby, language: str) -> Html:
    report = item.report
    category = context.services.categories.get(report.category_key)
    return t(
        language,
        "nearby.line",
        ref=report.id,
        category=category.label(language) if category else report.category_key,
        distance=item.meters,
        age=_age(report.created_at, language),
        status=t(language, f"status.{report.status}"),
    )


async def begin_report(update: Update, context: BotContext) -> None:
    """/report: a new draft, unless one is under way (continue?) or just cancelled (restore?)."""
    language = await language_of(update, context)
    user, chat = update.effective_user, update.effective_chat
    reporting_service = context.services.reporting
    draft = await reporting_service.active_draft(user.id)
    if draft is not None and (draft.category_key or draft.photos or draft.has_location):
        category = reporting_service.category_of(draft)
        summary = (
            t(language, "report.busy_summary_category", category=category.label(language))
            if category
            else t(language, "report.busy_summary_empty")
        )
        await _say(
            context,
            draft,
            t(language, "report.busy", summary=summary),
            keyboards.continue_or_restart(draft, language),
        )
        return
    restorable = await reporting_service.restorable_draft(user.id)
    if restorable is not None:
        category = reporting_service.category_of(restorable)
        label = category.label(language) if category else ""
        await _say(
            context,
            restorable,
            t(language, "report.restore_offer", category=label),
            keyboards.restore_or_fresh(restorable, language),
        )
        return
    draft = await reporting_service.start(user.id, chat.id)
    await prompt(context, draft, language)


async def cancel_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    draft = await context.services.reporting.active_draft(update.effective_user.id)
    if draft is None:
        await update.effective_message.reply_text(
            t(language, "common.nothing_to_cancel"),
            parse_mode=ParseMode.HTML,
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await _cancel(context, draft, language)


async def _cancel(context: BotContext, draft: Draft, language: str) -> None:
    await context.services.reporting.cancel(draft)
    await _say(context, draft, t(language, "report.cancelled"), ReplyKeyboardRemove())


# --- messages -------------------------------------------------------------------------------------


def _photo_of(message: Message) -> DraftPhoto | None:
    if message.photo:
        largest = message.photo[-1]
        return DraftPhoto(largest.file_id, largest.file_unique_id)
    document = message.document
    if document and (document.mime_type or "").startswith("image/"):
        return DraftPhoto(document.file_id, document.file_unique_id)
    return None


def _location_of(message: Message) -> tuple[float, float, str | None, str | None] | None:
    if message.venue:
        venue = message.venue
        return venue.location.latitude, venue.location.longitude, venue.title, venue.address
    if message.location:
        return message.location.latitude, message.location.longitude, None, None
    return None


async def on_message(update: Update, context: BotContext) -> None:
    """Any non-command message in a private chat, handled by the step the draft is on."""
    message = update.effective_message
    language = await language_of(update, context)
    reporting_service = context.services.reporting
    draft = await reporting_service.active_draft(update.effective_user.id)
    text = message.text or ""
    if draft is None:
        if await broadcast.on_message(message, context, language):
            return
        if await survey.answer_prompt(message, context, language):
            return
        await _without_draft(update, context, language)
        return
    if draft.step != OFFER and text in CANCEL:
        await _cancel(context, draft, language)
        return
    if draft.step != OFFER and text in BACK:
        await _back(context, draft, language)
        return
    handler = {
        CATEGORY: _at_category,
        LOCATION: _at_location,
        NEARBY: _at_nearby,
        PHOTOS: _at_photos,
        DESCRIPTION: _at_description,
        SUMMARY: _at_summary,
        OFFER: _at_offer,
    }[draft.step]
    await handler(message, context, draft, language)


async def _without_draft(update: Update, context: BotContext, language: str) -> None:
    """Outside a report, a photo or a location is the start of one: offer it, already filled in."""
    message = update.effective_message
    user, chat = update.effective_user, update.effective_chat
    reporting_service = context.services.reporting
    photo = _photo_of(message)
    location = _location_of(message)
    if photo is not None or location is not None:
        if location is not None:
            lat, lon, name, address = location
            draft = await reporting_service.start_with(
                user.id, chat.id, location=(lat, lon), place_name=name, address=address
            )
        else:
            draft = await reporting_service.start_with(user.id, chat.id, photo=photo)
        await prompt(context, draft, language)
        return
    if (message.text or "") in KEYBOARD_LABELS:
        await message.reply_text(
            t(language, "common.nothing_to_cancel"),
            parse_mode=ParseMode.HTML,
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await message.reply_text(
        t(language, "common.idle_text"),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboards.main_menu(language),
    )


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
    photo = _photo_of(message)
    if photo is not None:
        draft, _ = await context.services.reporting.add_photo(draft, photo)
        if message.media_group_id:
            return
    await prompt(context, draft, language)


async def _at_category(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    await prompt(context, draft, language, prefix=t(language, "report.expect_category"))


async def _at_location(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    location = _location_of(message)
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
    await _say(
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
    photo = _photo_of(message)
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
        await _say(context, draft, again, keyboards.photos(draft, category, language))
        return
    if outcome is PhotoOutcome.FULL:
        await _say(context, draft, t(language, "report.photos_full", max=MAX_PHOTOS))
        return
    received = t(language, "report.photo_received", count=len(updated.photos), max=MAX_PHOTOS)
    if updated.step != PHOTOS:
        await prompt(context, updated, language, prefix=received, keyboard_showing=True)
        return
    category = reporting_service.category_of(updated)
    await _say(context, updated, received, keyboards.photos(updated, category, language))


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
        await _say(context, draft, reason, keyboards.description(language))
        return
    if problem is DescriptionProblem.TOO_LONG:
        reason = t(
            language, "report.description_too_long", length=len(text.strip()), max=MAX_DESCRIPTION
        )
        await _say(context, draft, reason, keyboards.description(language))
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


# --- buttons --------------------------------------------------------------------------------------

STEP_OF_ACTION = {
    "cat": CATEGORY,
    "ok": SUMMARY,
    "ed": SUMMARY,
    "ef": SUMMARY,
    "eb": SUMMARY,
    "fol": NEARBY,
    "dif": NEARBY,
    "here": LOCATION,
}


async def on_button(update: Update, context: BotContext) -> None:
    """``r:<token>:<action>[:<arg>]``. The token and the draft's step decide if a press is stale."""
    query = update.callback_query
    language = await language_of(update, context)
    reporting_service = context.services.reporting
    _, token, action, arg = ((query.data or "") + "::::").split(":", 4)[:4]
    if action == "ok":
        done = await context.services.store.reports.id_for_draft(token)
        if done is not None:
            await query.answer()
            await _say_submitted(query.message, context, done, language, already=True)
            return
    draft = await context.services.store.drafts.get(query.from_user.id)
    if draft is None or draft.token != token:
        await _stale(update, context, language)
        return
    if action == "rs" and not draft.is_active:
        await query.answer()
        await _drop_buttons(query.message)
        restored = await reporting_service.restore(draft)
        await prompt(context, restored, language)
        return
    if action == "new":
        await query.answer()
        await _drop_buttons(query.message)
        fresh = await reporting_service.start(draft.user_id, draft.chat_id)
        await prompt(context, fresh, language)
        return
    if not draft.is_active:
        await _stale(update, context, language)
        return
    expected_step = STEP_OF_ACTION.get(action)
    if expected_step is not None and draft.step != expected_step:
        await _stale(update, context, language)
        return
    if action == "x":
        await query.answer()
        await _drop_buttons(query.message, t(language, "report.cancelled_mark"))
        await _cancel(context, draft, language)
    elif action == "cont":
        await query.answer()
        await _drop_buttons(query.message)
        await prompt(context, draft, language)
    elif action == "qy" and draft.step == OFFER:
        await query.answer()
        await _drop_buttons(query.message)
        await prompt(context, await reporting_service.advance(draft), language)
    elif action == "qn" and draft.step == OFFER:
        await query.answer()
        await reporting_service.discard(draft.user_id)
        await _drop_buttons(query.message, t(language, "report.offer_declined"))
    elif action == "cat" and arg in context.services.categories:
        await query.answer()
        category = context.services.categories[arg]
        await _drop_buttons(
            query.message,
            t(language, "report.chosen_category", category=category.label(language)),
        )
        await prompt(context, await reporting_service.set_category(draft, arg), language)
    elif action in ("ed", "eb"):
        await query.answer()
        markup = keyboards.edit_menu if action == "ed" else keyboards.summary
        with contextlib.suppress(BadRequest):  # "not modified": a second tap, same buttons
            await query.edit_message_reply_markup(markup(draft, language))
    elif action == "ef" and arg in keyboards.EDITABLE_FIELDS:
        await query.answer()
        await _drop_buttons(query.message)
        await prompt(context, await reporting_service.go_to(draft, arg), language)
    elif action == "ok":
        await _confirm(update, context, draft, language)
    elif action == "here" and draft.candidate:
        await query.answer()
        await _drop_buttons(query.message)
        updated = await reporting_service.accept_candidate(draft)
        assert updated is not None and updated.lat is not None and updated.lon is not None
        place = place_label(context.services.areas, updated.lat, updated.lon, None, language)
        prefix = t(language, "report.location_received", place=place)
        await prompt(context, updated, language, prefix=prefix, keyboard_showing=True)
    elif action == "dif":
        await query.answer()
        await _drop_buttons(query.message)
        await prompt(context, await reporting_service.mine_is_different(draft), language)
    elif action == "fol" and (report_id := parse_id(arg)) is not None:
        await _follow(update, context, draft, report_id, language)
    else:
        await _stale(update, context, language)


async def _follow(
    update: Update, context: BotContext, draft: Draft, report_id: int, language: str
) -> None:
    """Same problem: the citizen follows the existing report instead of filing a new one."""
    query = update.callback_query
    candidates = await context.services.reporting.nearby(draft)
    if report_id not in {item.report.id for item in candidates}:
        await _stale(update, context, language)
        return
    await query.answer()
    await _drop_buttons(query.message)
    added = await context.services.cases.follow(report_id, draft.user_id)
    await context.services.reporting.discard(draft.user_id)
    key = "nearby.followed" if added else "nearby.already_following"
    await _say(context, draft, t(language, key, ref=report_id))


async def _confirm(update: Update, context: BotContext, draft: Draft, language: str) -> None:
    query = update.callback_query
    result = await context.services.reporting.submit(draft)
    await query.answer()
    if result.kind in (SubmitKind.CREATED, SubmitKind.ALREADY):
        assert result.report_id is not None
        await _say_submitted(
            query.message,
            context,
            result.report_id,
            language,
            already=result.kind is SubmitKind.ALREADY,
        )
    elif result.kind is SubmitKind.DOUBLE:
        await _drop_buttons(query.message)
        await _say(context, draft, t(language, "report.double_submission", ref=result.report_id))
    elif result.kind is SubmitKind.RATE_LIMITED:
        assert result.retry_after is not None
        local = result.retry_after.astimezone(context.services.settings.tz)
        await _say(
            context,
            draft,
            t(
                language,
                "report.rate_limited",
                max=context.services.settings.max_reports_per_hour,
                time=local.strftime("%H:%M"),
            ),
        )
    else:
        await prompt(context, await context.services.reporting.advance(draft), language)


async def _say_submitted(
    summary_message: object, context: BotContext, report_id: int, language: str, *, already: bool
) -> None:
    """Only now, with the report committed, does the citizen get the reference."""
    report = await context.services.store.reports.get(report_id)
    assert report is not None
    await _drop_buttons(summary_message, t(language, "report.submitted_mark", ref=report_id))
    key = "report.submitted_already" if already else "report.submitted"
    place = short_place(context.services.areas, report.lat, report.lon, language)
    await context.bot.send_message(
        report.citizen_id,
        t(language, key, ref=report_id, place_short=place),
        parse_mode=ParseMode.HTML,
    )


async def _stale(update: Update, context: BotContext, language: str) -> None:
    """Say the button expired, take the old buttons away, and show where the citizen really is."""
    query = update.callback_query
    await query.answer(t(language, "common.stale_button"))
    await _drop_buttons(query.message)
    draft = await context.services.reporting.active_draft(query.from_user.id)
    if draft is not None:
        await prompt(context, draft, language)


async def _drop_buttons(message: object, note: str | None = None) -> None:
    """Remove an old message's buttons (appending ``note``) so it cannot be pressed again."""
    if not isinstance(message, Message):
        return
    try:
        if note and message.text_html:
            await message.edit_text(
                f"{message.text_html}\n\n{note}", parse_mode=ParseMode.HTML, reply_markup=None
            )
        elif message.reply_markup is not None:
            await message.edit_reply_markup(reply_markup=None)
    except BadRequest as error:  # too old to edit, or already without buttons
        log.debug("could not drop buttons", extra={"reason": str(error)})
