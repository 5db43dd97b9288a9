"""The report conversation's inline buttons: one handler per kind (bot/telegram/callbacks.py).

The steps themselves use reply keyboards (handlers/report/prompts.py). Inline buttons remain for
the questions about a report under way or cancelled (continue or start over, restore), and on
messages sent before the flow used reply keyboards: those still work, each answered with the
step's new keyboard. How a press is checked and answered is handlers/report/presses.py.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.reporting import CATEGORY, LOCATION, NEARBY, OFFER, SUMMARY
from bot.i18n import t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers import keyboards
from handlers.messages import drop_buttons
from handlers.narrow import pressed_message, query_of
from handlers.people import language_of
from handlers.report import summary
from handlers.report.presses import move, move_on, pressed, stale, took
from handlers.report.prompts import place_text, say
from handlers.report.start import cancel


async def stale_press(update: Update, context: BotContext) -> None:
    """A report button of no kind we know (garbled, or from a much older bot)."""
    await stale(update, context, await language_of(update, context))


async def restore_pressed(update: Update, context: BotContext) -> None:
    """Bring back the draft the citizen cancelled a moment ago."""
    found = await pressed(update, context, callbacks.DRAFT_RESTORE, inactive_too=True)
    if found is None:
        return
    draft, _, language = found
    if draft.is_active:
        await stale(update, context, language)
        return
    await move_on(update, context, await context.services.reporting.restore(draft), language)


async def restart_pressed(update: Update, context: BotContext) -> None:
    """Start afresh, whether the old draft is open or was cancelled."""
    found = await pressed(update, context, callbacks.DRAFT_RESTART, inactive_too=True)
    if found is None:
        return
    draft, _, language = found
    fresh = await context.services.reporting.start(draft.user_id, draft.chat_id)
    await move_on(update, context, fresh, language)


async def cancel_pressed(update: Update, context: BotContext) -> None:
    found = await pressed(update, context, callbacks.DRAFT_CANCEL)
    if found is None:
        return
    draft, _, language = found
    await took(update, t(language, "report.cancelled_mark"))
    await cancel(context, draft, language)


async def continue_pressed(update: Update, context: BotContext) -> None:
    found = await pressed(update, context, callbacks.DRAFT_CONTINUE)
    if found is None:
        return
    draft, _, language = found
    await move_on(update, context, draft, language)


async def offer_accepted(update: Update, context: BotContext) -> None:
    """A draft from before the quick report asked for the category itself: yes, report it."""
    reporting = context.services.reporting
    await move(update, context, callbacks.DRAFT_OFFER_YES, OFFER, reporting.advance)


async def offer_declined(update: Update, context: BotContext) -> None:
    found = await pressed(update, context, callbacks.DRAFT_OFFER_NO, step=OFFER)
    if found is None:
        return
    draft, _, language = found
    query = query_of(update)
    await query.answer()
    await context.services.reporting.discard(draft.user_id)
    await drop_buttons(pressed_message(query), t(language, "report.offer_declined"))


async def category_chosen(update: Update, context: BotContext) -> None:
    """An inline category button (a menu from before the category keyboard)."""
    found = await pressed(update, context, callbacks.DRAFT_CATEGORY, step=CATEGORY)
    if found is None:
        return
    draft, press, language = found
    if context.services.categories.get(press.choice) is None:
        await stale(update, context, language)
        return
    changed = await context.services.reporting.set_category(draft, press.choice)
    await move_on(update, context, changed, language)


async def edit_pressed(update: Update, context: BotContext) -> None:
    """An inline summary's Edit: the fields, on the summary's keyboard of today."""
    found = await pressed(update, context, callbacks.DRAFT_EDIT, step=SUMMARY)
    if found is None:
        return
    draft, _, language = found
    await took(update)
    await say(context, draft, t(language, "report.edit_which"), keyboards.edit_menu(language))


async def summary_pressed(update: Update, context: BotContext) -> None:
    """An inline "back to the summary": the summary again, with its keyboard of today."""
    found = await pressed(update, context, callbacks.DRAFT_SUMMARY, step=SUMMARY)
    if found is not None:
        draft, _, language = found
        await move_on(update, context, draft, language)


async def field_chosen(update: Update, context: BotContext) -> None:
    """One field to change, from an inline summary: back to its step."""
    found = await pressed(update, context, callbacks.DRAFT_EDIT_FIELD, step=SUMMARY)
    if found is None:
        return
    draft, press, language = found
    if press.choice not in keyboards.EDITABLE_FIELDS:
        await stale(update, context, language)
        return
    moved = await context.services.reporting.go_to(draft, press.choice)
    await move_on(update, context, moved, language)


async def confirm_pressed(update: Update, context: BotContext) -> None:
    """An inline summary's Send. A second press after it went through is told its reference
    again."""
    query = query_of(update)
    press = callbacks.DRAFT_CONFIRM.parse(query.data)
    if press is not None:
        done = await context.services.store.reports.id_for_draft(press.token)
        if done is not None:
            language = await language_of(update, context)
            await query.answer()
            await drop_buttons(pressed_message(query))
            await summary.receipt(context, done, language, already=True)
            return
    found = await pressed(update, context, callbacks.DRAFT_CONFIRM, step=SUMMARY)
    if found is not None:
        draft, _, language = found
        await query.answer()
        reporter = summary.reporter_of(query.from_user)
        await summary.submit(
            context, draft, language, reporter=reporter, pressed=pressed_message(query)
        )


async def address_accepted(update: Update, context: BotContext) -> None:
    """An inline "yes, here" for a place found for a typed address."""
    found = await pressed(update, context, callbacks.DRAFT_ADDRESS_OK, step=LOCATION)
    if found is None:
        return
    draft, _, language = found
    updated = await context.services.reporting.accept_candidate(draft)
    if updated is None:
        await stale(update, context, language)
        return
    prefix = t(language, "report.location_received", place=place_text(context, updated, language))
    await move_on(update, context, updated, language, prefix=prefix)


async def different_pressed(update: Update, context: BotContext) -> None:
    """None of the reports nearby is this problem: go on with a new one."""
    reporting = context.services.reporting
    await move(update, context, callbacks.DRAFT_DIFFERENT, NEARBY, reporting.mine_is_different)


async def follow_pressed(update: Update, context: BotContext) -> None:
    """Same problem: the citizen follows the existing report instead of filing a new one."""
    found = await pressed(update, context, callbacks.DRAFT_FOLLOW, step=NEARBY)
    if found is None:
        return
    draft, press, language = found
    candidates = await context.services.reporting.nearby(draft)
    if press.report not in {item.report.id for item in candidates}:
        await stale(update, context, language)
        return
    await took(update)
    added = await context.services.cases.follow(press.report, draft.user_id)
    await context.services.reporting.discard(draft.user_id)
    key = "nearby.followed" if added else "nearby.already_following"
    await say(context, draft, t(language, key, ref=press.report))


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
