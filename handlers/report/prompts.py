"""What the report conversation says at each step: the question, its keyboard, the summary.

One function, ``prompt``, asks for whatever the draft's step needs, so every handler (a message,
a button, /report after a restart) ends the same way and the keyboards never disagree.

Why every prompt is one message, and every choice a reply keyboard: each Bot API call is a share
of Telegram's 30 messages a second for the whole city. A tap on a reply keyboard's button is a
message like a typed one, so it costs the bot only its answer, where an inline button's press
must also be acknowledged (``answerCallbackQuery``) and its old buttons retired by an edit.
Each prompt brings its own keyboard, which replaces the one before; a prompt without buttons
takes the last one away (``ReplyKeyboardRemove``). So no message exists only to change a
keyboard, and no button on screen is ever out of date. "📍 Send my location" (a reply-keyboard
button only) is the location step's.

Inline buttons remain where they are part of a message rather than of the step: continue or
start over, restore, and those on messages from before this flow (handlers/report/buttons.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.domain import privacy
from bot.domain.reporting import (
    CATEGORY,
    DESCRIPTION,
    LOCATION,
    MAX_PHOTOS,
    NEARBY,
    OFFER,
    PHOTOS,
    SUMMARY,
    Nearby,
)
from bot.geo.places import area_label
from bot.i18n import Html, t
from bot.telegram.context import BotContext
from handlers import keyboards
from storage.drafts import Draft

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


async def say(context: BotContext, draft: Draft, text: str, markup: Markup = None) -> Message:
    return await context.bot.send_message(draft.chat_id, text, reply_markup=markup)


async def deliver(
    context: BotContext,
    draft: Draft,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None,
) -> None:
    """Send one prompt: with its keyboard, or taking the last reply keyboard away when it has
    no buttons."""
    await say(context, draft, text, markup if markup is not None else ReplyKeyboardRemove())


def place_text(context: BotContext, draft: Draft, language: str) -> Html:
    """Where the report is, short enough for one line on a phone: the venue or street when
    known, then the kelurahan and city; "around" for the middle of a typed area."""
    assert draft.lat is not None and draft.lon is not None
    area = context.services.areas.locate(draft.lat, draft.lon)
    label = (
        t(language, "report.area_short", kelurahan=area.name, kota=area.city)
        if area is not None
        else area_label(None, language)
    )
    if draft.place_name:
        label = t(language, "report.venue_place", name=draft.place_name, place=label)
    elif draft.address:
        label = t(language, "report.address_place", address=draft.address, place=label)
    if draft.approximate:
        label = t(language, "report.approximate_place", place=label)
    return label


def summary_text(
    context: BotContext, draft: Draft, language: str, visibility: privacy.Visibility
) -> Html:
    """The summary: what will be sent, and in which privacy mode (on the photos' line, so the
    summary stays three short lines; the keyboard changes the mode in one tap)."""
    category = context.services.reporting.category_of(draft)
    assert category is not None
    photos = (
        t(language, "report.photos_count", count=len(draft.photos))
        if draft.photos
        else t(language, "report.no_photos")
    )
    return t(
        language,
        "report.summary",
        category=category.label(language),
        place=place_text(context, draft, language),
        photos=photos,
        privacy=t(language, f"privacy.short_{visibility.value}"),
        description=draft.description or "",
    )


def _lead(prefix: str | None) -> str:
    return f"{prefix}\n" if prefix else ""


async def prompt(
    context: BotContext,
    draft: Draft,
    language: str,
    *,
    prefix: str | None = None,
) -> None:
    """Ask for what the draft's current step needs, with that step's keyboard; ``prefix`` is a
    line about what was just received."""
    text, markup = await question(context, draft, language)
    if text is None:
        return
    await deliver(context, draft, _lead(prefix) + text, markup)


async def question(
    context: BotContext, draft: Draft, language: str
) -> tuple[str | None, InlineKeyboardMarkup | ReplyKeyboardMarkup | None]:
    """The current step's question and its keyboard (None: a step without one, or a draft
    whose nearby reports closed meanwhile, which moves on and asks the next thing)."""
    reporting = context.services.reporting
    step = draft.step
    category = reporting.category_of(draft)
    if step == CATEGORY:
        hint = t(language, "report.category_hint")
        if draft.photos:
            text = t(language, "report.ask_category_photo", count=len(draft.photos), hint=hint)
        elif draft.has_location:
            text = t(language, "report.ask_category_location", hint=hint)
        else:
            text = t(language, "report.ask_category", hint=hint)
        return text, keyboards.categories(context.services.categories.values(), language)
    if step == LOCATION:
        typed = "report.typed_street" if reporting.knows_streets else "report.typed_area"
        label = category.label(language) if category else ""
        text = t(language, "report.ask_location", category=label, typed=t(language, typed))
        return text, keyboards.location_request(language)
    if step == NEARBY:
        nearby = await reporting.nearby(draft)
        if not nearby:  # closed meanwhile: nothing left to compare with
            return await question(context, await reporting.mine_is_different(draft), language)
        lines = Html("\n".join(_nearby_line(context, item, language) for item in nearby))
        text = t(language, "nearby.found", lines=lines)
        return text, keyboards.nearby([item.report.id for item in nearby], language)
    if step == PHOTOS:
        optional = category is not None and not category.photo_required
        markup = keyboards.photo_step(draft, language, optional=optional)
        return _photo_question(draft, language, optional=optional), markup
    if step == DESCRIPTION:
        if draft.description:
            current = t(language, "report.current", text=draft.description)
            text = Html(f"{t(language, 'report.ask_description_again')}\n<i>{current}</i>")
        else:
            text = t(language, "report.ask_description")
        return text, keyboards.description(language)
    if step == SUMMARY:
        visibility = await privacy.of_draft(context.services.store, draft, category)
        text = summary_text(context, draft, language, visibility)
        return text, keyboards.summary(draft, language, visibility)
    if step == OFFER:  # a draft saved before the quick report asked for the category itself
        key = "report.offer_photo" if draft.photos else "report.offer_location"
        return t(language, key), keyboards.quick_offer(draft, language)
    return None, None


def _photo_question(draft: Draft, language: str, *, optional: bool) -> Html:
    """The photo step asks for a photo with the description as its caption; where a photo is
    not needed, typing the description (or Skip) goes on without one."""
    if draft.photos:  # revisited from the summary
        return t(language, "report.ask_more_photos", count=len(draft.photos), max=MAX_PHOTOS)
    if draft.description is not None:
        key = "report.ask_photos_described_optional" if optional else "report.ask_photos_described"
        return t(language, key)
    return t(language, "report.ask_photos_optional" if optional else "report.ask_photos")


def _age(created_at: str, language: str) -> Html:
    minutes = max(
        0, int((datetime.now(UTC) - datetime.fromisoformat(created_at)).total_seconds() // 60)
    )
    if minutes < 1:
        return t(language, "nearby.age_just_now")
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
