"""The summary step and the submission: send, a photo more, edit a field, and the answers a
submission gets (the reference only once the report is committed).

The summary's buttons are a reply keyboard (see handlers/report/prompts.py), so they arrive as
text; an inline "send" of a summary from before this flow ends in ``submit`` too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Message, ReplyKeyboardRemove, User
from telegram.error import BadRequest

from bot.domain import privacy
from bot.domain.reporting import DOUBLE_SUBMISSION_WINDOW, MAX_PHOTOS, SubmitKind
from bot.geo.places import short_place
from bot.i18n import t
from bot.telegram.context import BotContext
from handlers import keyboards
from handlers.report.labels import (
    CONFIRM,
    EDIT,
    EDIT_BACK,
    EDIT_FIELDS,
    MORE_PHOTOS,
    PRIVACY_CHOICES,
)
from handlers.report.prompts import prompt, say
from storage.drafts import Draft


async def at_summary(message: Message, context: BotContext, draft: Draft, language: str) -> None:
    text = message.text or ""
    if text in CONFIRM:
        await submit(context, draft, language, reporter=reporter_of(message.from_user))
    elif text in MORE_PHOTOS:
        key = (
            "report.more_photos_full"
            if len(draft.photos) >= MAX_PHOTOS
            else ("report.more_photos_hint")
        )
        await say(context, draft, t(language, key, max=MAX_PHOTOS))  # the keyboard stays
    elif text in EDIT:
        await say(context, draft, t(language, "report.edit_which"), keyboards.edit_menu(language))
    elif text in EDIT_FIELDS:
        moved = await context.services.reporting.go_to(draft, EDIT_FIELDS[text])
        await prompt(context, moved, language)
    elif text in EDIT_BACK:
        await prompt(context, draft, language)
    elif text in PRIVACY_CHOICES:
        chosen = await privacy.choose(context.services.store, draft, PRIVACY_CHOICES[text])
        hint = t(language, f"privacy.chosen_{PRIVACY_CHOICES[text].value}")
        await prompt(context, chosen, language, prefix=hint)
    else:
        await prompt(context, draft, language, prefix=t(language, "report.summary_buttons_hint"))


def reporter_of(user: User | None) -> privacy.Reporter:
    """Who is filing, as Telegram names them now (kept only where the mode shows them)."""
    if user is None:
        return privacy.Reporter(None, None)
    return privacy.Reporter(user.full_name or None, user.username or None)


async def submit(
    context: BotContext,
    draft: Draft,
    language: str,
    *,
    reporter: privacy.Reporter,
    pressed: object = None,
) -> None:
    """File the report and answer: the receipt with its reference, or why not. ``pressed``: an
    inline summary's message (from before this flow), which then becomes the receipt."""
    reporting = context.services.reporting
    result = await reporting.submit(draft, reporter)
    if result.kind in (SubmitKind.CREATED, SubmitKind.ALREADY):
        assert result.report_id is not None
        already = result.kind is SubmitKind.ALREADY
        await receipt(context, result.report_id, language, already=already, pressed=pressed)
    elif result.kind is SubmitKind.DOUBLE:
        text = t(language, "report.double_submission", ref=result.report_id)
        await _answer(context, draft.chat_id, text, pressed)
    elif result.kind is SubmitKind.RATE_LIMITED:
        assert result.retry_after is not None
        local = result.retry_after.astimezone(context.services.settings.tz)
        limit = context.services.settings.max_reports_per_hour
        text = t(language, "report.rate_limited", max=limit, time=local.strftime("%H:%M"))
        await say(context, draft, text)  # the draft and its summary's keyboard stay
    else:
        await prompt(context, await reporting.advance(draft), language)


async def receipt(
    context: BotContext, report_id: int, language: str, *, already: bool, pressed: object = None
) -> None:
    """Only now, with the report committed, does the citizen get the reference; a reply to it
    adds to the report (handlers/add_info.py)."""
    report = await context.services.store.reports.get(report_id)
    assert report is not None
    place = short_place(context.services.areas, report.lat, report.lon, language)
    key = "report.submitted_already" if already else "report.submitted"
    text = t(language, key, ref=report_id, place_short=place)
    sent = await _answer(context, report.citizen_id, text, pressed)
    await context.services.additions.remember(sent.chat_id, sent.message_id, report_id)


async def _answer(context: BotContext, chat_id: int, text: str, pressed: object) -> Message:
    """In place of the pressed message when there is one, else anew, the keyboard taken away."""
    if isinstance(pressed, Message):
        try:
            edited = await pressed.edit_text(text, reply_markup=None)
            if isinstance(edited, Message):
                return edited
        except BadRequest:  # too old to edit, or already this text
            pass
    return await context.bot.send_message(chat_id, text, reply_markup=ReplyKeyboardRemove())


async def just_sent(context: BotContext, user_id: int) -> int | None:
    """The citizen's report of the last minutes: a second tap of "send" arrives after the
    draft is gone, and is told that report's reference again."""
    since = (datetime.now(UTC) - DOUBLE_SUBMISSION_WINDOW).isoformat(timespec="seconds")
    recent = await context.services.store.reports.by_citizen_since(user_id, since)
    return recent[0].id if recent else None
