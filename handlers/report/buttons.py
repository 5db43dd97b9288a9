"""The report conversation's inline buttons: one handler per kind (bot/telegram/callbacks.py).

A press carries the draft's token; the token and the step the draft is on decide whether it is
stale. A stale press is told so, loses its buttons, and the citizen sees where the report stands.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.error import BadRequest

from bot.domain.reporting import CATEGORY, LOCATION, NEARBY, OFFER, SUMMARY, SubmitKind
from bot.geo.places import place_label, short_place
from bot.i18n import t
from bot.telegram import callbacks
from bot.telegram.callbacks import ButtonKind
from bot.telegram.context import BotContext
from handlers import keyboards
from handlers.messages import drop_buttons
from handlers.narrow import pressed_message, query_of
from handlers.people import language_of
from handlers.report.prompts import prompt, say
from handlers.report.start import cancel
from storage.drafts import Draft

P = TypeVar("P", bound=callbacks.Draft | callbacks.DraftChoice | callbacks.DraftReport)


async def _pressed(
    update: Update,
    context: BotContext,
    kind: ButtonKind[P],
    *,
    step: str | None = None,
    inactive_too: bool = False,
) -> tuple[Draft, P, str] | None:
    """The citizen's draft and the press's fields, when the press is for that draft (its token)
    and, unless ``inactive_too``, the draft is still open, at ``step`` if one is given. Else the
    press is answered as stale and None returned."""
    language = await language_of(update, context)
    query = query_of(update)
    press = kind.parse(query.data)
    draft = await context.services.store.drafts.get(query.from_user.id)
    if (
        press is None
        or draft is None
        or draft.token != press.token
        or not (draft.is_active or inactive_too)
        or (step is not None and draft.step != step)
    ):
        await _stale(update, context, language)
        return None
    return draft, press, language


async def _took(update: Update, note: str | None = None) -> None:
    """The press is obeyed: answered, and its message's buttons taken away."""
    query = query_of(update)
    await query.answer()
    await drop_buttons(pressed_message(query), note)


async def _move(
    update: Update,
    context: BotContext,
    kind: ButtonKind[Any],
    step: str,
    move: Callable[[Draft], Awaitable[Draft]],
) -> None:
    """A press that moves the draft on from ``step``: its buttons go, the next step is asked."""
    pressed = await _pressed(update, context, kind, step=step)
    if pressed is None:
        return
    draft, _, language = pressed
    await _took(update)
    await prompt(context, await move(draft), language)


async def stale_press(update: Update, context: BotContext) -> None:
    """A report button of no kind we know (garbled, or from a much older bot)."""
    await _stale(update, context, await language_of(update, context))


async def restore_pressed(update: Update, context: BotContext) -> None:
    """Bring back the draft the citizen cancelled a moment ago."""
    pressed = await _pressed(update, context, callbacks.DRAFT_RESTORE, inactive_too=True)
    if pressed is None:
        return
    draft, _, language = pressed
    if draft.is_active:
        await _stale(update, context, language)
        return
    await _took(update)
    await prompt(context, await context.services.reporting.restore(draft), language)


async def restart_pressed(update: Update, context: BotContext) -> None:
    """Start afresh, whether the old draft is open or was cancelled."""
    pressed = await _pressed(update, context, callbacks.DRAFT_RESTART, inactive_too=True)
    if pressed is None:
        return
    draft, _, language = pressed
    await _took(update)
    fresh = await context.services.reporting.start(draft.user_id, draft.chat_id)
    await prompt(context, fresh, language)


async def cancel_pressed(update: Update, context: BotContext) -> None:
    pressed = await _pressed(update, context, callbacks.DRAFT_CANCEL)
    if pressed is None:
        return
    draft, _, language = pressed
    await _took(update, t(language, "report.cancelled_mark"))
    await cancel(context, draft, language)


async def continue_pressed(update: Update, context: BotContext) -> None:
    pressed = await _pressed(update, context, callbacks.DRAFT_CONTINUE)
    if pressed is None:
        return
    draft, _, language = pressed
    await _took(update)
    await prompt(context, draft, language)


async def offer_accepted(update: Update, context: BotContext) -> None:
    """A photo or a point sent outside a report: yes, make a report of it."""
    await _move(
        update, context, callbacks.DRAFT_OFFER_YES, OFFER, context.services.reporting.advance
    )


async def offer_declined(update: Update, context: BotContext) -> None:
    pressed = await _pressed(update, context, callbacks.DRAFT_OFFER_NO, step=OFFER)
    if pressed is None:
        return
    draft, _, language = pressed
    query = query_of(update)
    await query.answer()
    await context.services.reporting.discard(draft.user_id)
    await drop_buttons(pressed_message(query), t(language, "report.offer_declined"))


async def category_chosen(update: Update, context: BotContext) -> None:
    pressed = await _pressed(update, context, callbacks.DRAFT_CATEGORY, step=CATEGORY)
    if pressed is None:
        return
    draft, press, language = pressed
    category = context.services.categories.get(press.choice)
    if category is None:
        await _stale(update, context, language)
        return
    await _took(update, t(language, "report.chosen_category", category=category.label(language)))
    await prompt(
        context, await context.services.reporting.set_category(draft, press.choice), language
    )


async def edit_pressed(update: Update, context: BotContext) -> None:
    """The summary's Edit: its buttons become the list of fields."""
    await _swap_buttons(update, context, callbacks.DRAFT_EDIT, keyboards.edit_menu)


async def summary_pressed(update: Update, context: BotContext) -> None:
    """Back from the list of fields to the summary's buttons."""
    await _swap_buttons(update, context, callbacks.DRAFT_SUMMARY, keyboards.summary)


async def _swap_buttons(
    update: Update, context: BotContext, kind: ButtonKind[callbacks.Draft], markup: Any
) -> None:
    pressed = await _pressed(update, context, kind, step=SUMMARY)
    if pressed is None:
        return
    draft, _, language = pressed
    query = query_of(update)
    await query.answer()
    with contextlib.suppress(BadRequest):  # "not modified": a second tap, same buttons
        await query.edit_message_reply_markup(markup(draft, language))


async def field_chosen(update: Update, context: BotContext) -> None:
    """One field to change, from the summary: back to its step."""
    pressed = await _pressed(update, context, callbacks.DRAFT_EDIT_FIELD, step=SUMMARY)
    if pressed is None:
        return
    draft, press, language = pressed
    if press.choice not in keyboards.EDITABLE_FIELDS:
        await _stale(update, context, language)
        return
    await _took(update)
    await prompt(context, await context.services.reporting.go_to(draft, press.choice), language)


async def confirm_pressed(update: Update, context: BotContext) -> None:
    """Send the report. A second press after it went through is told its reference again."""
    query = query_of(update)
    press = callbacks.DRAFT_CONFIRM.parse(query.data)
    if press is not None:
        done = await context.services.store.reports.id_for_draft(press.token)
        if done is not None:
            language = await language_of(update, context)
            await query.answer()
            await _say_submitted(pressed_message(query), context, done, language, already=True)
            return
    pressed = await _pressed(update, context, callbacks.DRAFT_CONFIRM, step=SUMMARY)
    if pressed is not None:
        draft, _, language = pressed
        await _confirm(update, context, draft, language)


async def address_accepted(update: Update, context: BotContext) -> None:
    """The address found for what the citizen typed is the right place."""
    pressed = await _pressed(update, context, callbacks.DRAFT_ADDRESS_OK, step=LOCATION)
    if pressed is None:
        return
    draft, _, language = pressed
    if not draft.candidate:
        await _stale(update, context, language)
        return
    await _took(update)
    updated = await context.services.reporting.accept_candidate(draft)
    assert updated is not None and updated.lat is not None and updated.lon is not None
    place = place_label(context.services.areas, updated.lat, updated.lon, None, language)
    prefix = t(language, "report.location_received", place=place)
    await prompt(context, updated, language, prefix=prefix, keyboard_showing=True)


async def different_pressed(update: Update, context: BotContext) -> None:
    """None of the reports nearby is this problem: go on with a new one."""
    reporting = context.services.reporting
    await _move(update, context, callbacks.DRAFT_DIFFERENT, NEARBY, reporting.mine_is_different)


async def follow_pressed(update: Update, context: BotContext) -> None:
    pressed = await _pressed(update, context, callbacks.DRAFT_FOLLOW, step=NEARBY)
    if pressed is not None:
        draft, press, language = pressed
        await _follow(update, context, draft, press.report, language)


#: Each report button's kind and its handler, for application.py to register.
HANDLERS = (
    (callbacks.DRAFT_CATEGORY, category_chosen),
    (callbacks.DRAFT_CANCEL, cancel_pressed),
    (callbacks.DRAFT_CONTINUE, continue_pressed),
    (callbacks.DRAFT_RESTART, restart_pressed),
    (callbacks.DRAFT_RESTORE, restore_pressed),
    (callbacks.DRAFT_OFFER_YES, offer_accepted),
    (callbacks.DRAFT_OFFER_NO, offer_declined),
    (callbacks.DRAFT_CONFIRM, confirm_pressed),
    (callbacks.DRAFT_EDIT, edit_pressed),
    (callbacks.DRAFT_EDIT_FIELD, field_chosen),
    (callbacks.DRAFT_SUMMARY, summary_pressed),
    (callbacks.DRAFT_FOLLOW, follow_pressed),
    (callbacks.DRAFT_DIFFERENT, different_pressed),
    (callbacks.DRAFT_ADDRESS_OK, address_accepted),
)


async def _follow(
    update: Update, context: BotContext, draft: Draft, report_id: int, language: str
) -> None:
    """Same problem: the citizen follows the existing report instead of filing a new one."""
    query = query_of(update)
    candidates = await context.services.reporting.nearby(draft)
    if report_id not in {item.report.id for item in candidates}:
        await _stale(update, context, language)
        return
    await query.answer()
    await drop_buttons(pressed_message(query))
    added = await context.services.cases.follow(report_id, draft.user_id)
    await context.services.reporting.discard(draft.user_id)
    key = "nearby.followed" if added else "nearby.already_following"
    await say(context, draft, t(language, key, ref=report_id))


async def _confirm(update: Update, context: BotContext, draft: Draft, language: str) -> None:
    query = query_of(update)
    result = await context.services.reporting.submit(draft)
    await query.answer()
    if result.kind in (SubmitKind.CREATED, SubmitKind.ALREADY):
        assert result.report_id is not None
        await _say_submitted(
            pressed_message(query),
            context,
            result.report_id,
            language,
            already=result.kind is SubmitKind.ALREADY,
        )
    elif result.kind is SubmitKind.DOUBLE:
        await drop_buttons(pressed_message(query))
        await say(context, draft, t(language, "report.double_submission", ref=result.report_id))
    elif result.kind is SubmitKind.RATE_LIMITED:
        assert result.retry_after is not None
        local = result.retry_after.astimezone(context.services.settings.tz)
        await say(
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
    await drop_buttons(summary_message, t(language, "report.submitted_mark", ref=report_id))
    key = "report.submitted_already" if already else "report.submitted"
    place = short_place(context.services.areas, report.lat, report.lon, language)
    sent = await context.bot.send_message(
        report.citizen_id,
        t(language, key, ref=report_id, place_short=place),
    )
    # A reply to the reference adds to the report (handlers/add_info.py).
    await context.services.additions.remember(sent.chat_id, sent.message_id, report_id)


async def _stale(update: Update, context: BotContext, language: str) -> None:
    """Say the button expired, take the old buttons away, and show where the citizen really is."""
    query = query_of(update)
    await query.answer(t(language, "common.stale_button"))
    await drop_buttons(pressed_message(query))
    draft = await context.services.reporting.active_draft(query.from_user.id)
    if draft is not None:
        await prompt(context, draft, language)
