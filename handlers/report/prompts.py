"""What the report conversation says at each step: the question, its keyboard, the summary.

One function, ``prompt``, asks for whatever the draft's step needs, so every handler (a message,
a button, /report after a restart) ends the same way and the keyboards never disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.domain.reporting import (
    CATEGORY,
    DESCRIPTION,
    LOCATION,
    NEARBY,
    OFFER,
    PHOTOS,
    SUMMARY,
    Nearby,
)
from bot.geo.places import place_label
from bot.i18n import Html, t
from bot.telegram.context import BotContext
from handlers import keyboards
from storage.drafts import Draft

REPLY_KEYBOARD_STEPS = frozenset({LOCATION, PHOTOS, DESCRIPTION})


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


async def say(context: BotContext, draft: Draft, text: str, markup: Markup = None) -> Message:
    return await context.bot.send_message(draft.chat_id, text, reply_markup=markup)


def summary_text(context: BotContext, draft: Draft, language: str) -> Html:
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
        await say(context, draft, prefix or "👌", ReplyKeyboardRemove())
        prefix = None
    lead = f"{prefix}\n\n" if prefix else ""
    if step == CATEGORY:
        items = context.services.categories.values()
        await say(
            context,
            draft,
            lead + t(language, "report.ask_category"),
            keyboards.categories(draft, items, language),
        )
    elif step == LOCATION:
        await say(
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
        await say(
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
        await say(context, draft, lead + text, keyboards.photos(draft, category, language))
    elif step == DESCRIPTION:
        text = t(language, "report.ask_description")
        if draft.description:
            text = Html(f"{text}\n\n<i>{t(language, 'report.current', text=draft.description)}</i>")
        await say(context, draft, lead + text, keyboards.description(language))
    elif step == SUMMARY:
        await say(
            context,
            draft,
            lead + summary_text(context, draft, language),
            keyboards.summary(draft, language),
        )
    elif step == OFFER:
        key = "report.offer_photo" if draft.photos else "report.offer_location"
        await say(context, draft, lead + t(language, key), keyboards.quick_offer(draft, language))


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
