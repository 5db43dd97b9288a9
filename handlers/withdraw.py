"""🚫 Withdraw a report, and 📎 what I sent: the reporter's own control over a report (issue 18).

Withdrawing: while a report is still new (no officer has acknowledged it), its reporter's
``/status`` answer carries "🚫 Batalkan laporan". A press asks why (quick choices: solved, sent by
mistake, reported another way, another reason), then to confirm; only the confirmation changes
anything, through :meth:`bot.domain.cases.CasesService.withdraw`, which records the reason in the
history, refreshes the officers' cards (their buttons go), puts a notice under each and tells the
followers. Every press is checked again on the server: a button forwarded to someone else is
refused, and one pressed after an officer acknowledged the report (a stale button) is answered
with where the report is now, changing nothing.

What I sent: ``/status`` tells the reporter their description and the history; "📎 Kiriman saya"
sends back the photos too (their own and those they added later, from the evidence the bot kept
when there is one) with their words, so they see everything they gave the officers.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message, Update
from telegram.error import BadRequest

from bot.domain import statuses
from bot.domain.cases import Outcome
from bot.domain.withdrawals import MAX_REASON
from bot.i18n import plain, t
from bot.telegram import callbacks
from bot.telegram.callbacks import Answer, ReportRef
from bot.telegram.context import BotContext
from handlers.narrow import query_of
from handlers.people import language_of
from storage.reports import Report

#: The quick reasons, in the order they are offered.
REASONS = ("fixed", "mistake", "elsewhere", "other")
ALBUM_MAX = 10  # Telegram's most photos in one album


def reporter_rows(report: Report, language: str) -> list[list[InlineKeyboardButton]]:
    """The buttons under the reporter's own /status answer (the caller knows it is theirs):
    what they sent, and withdrawing while no officer has taken the report up."""
    rows = [[sent_button(report, language)]]
    if report.status in statuses.WITHDRAWABLE:
        rows.append([withdraw_button(report, language)])
    return rows


def withdraw_button(report: Report, language: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        plain(language, "withdraw.button"),
        callback_data=callbacks.WITHDRAW.data(Answer(report.id, "ask")),
    )


def sent_button(report: Report, language: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        plain(language, "withdraw.sent_button"),
        callback_data=callbacks.SENT.data(ReportRef(report.id)),
    )


def _button(language: str, key: str, report: int, answer: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        plain(language, key), callback_data=callbacks.WITHDRAW.data(Answer(report, answer))
    )


async def withdraw_pressed(update: Update, context: BotContext) -> None:
    """Every step: ``ask`` → ``why-<reason>`` → ``yes-<reason>``, or ``keep``."""
    query = query_of(update)
    language = await language_of(update, context)
    press = callbacks.WITHDRAW.parse(query.data)
    step, _, reason = (press.answer if press else "").partition("-")
    valid = (step in ("ask", "keep") and not reason) or (
        step in ("why", "yes") and reason in REASONS
    )
    if press is None or not valid:
        await query.answer(t(language, "common.stale_button"))
        return
    report = await context.services.store.reports.get(press.report)
    if report is None or report.citizen_id != query.from_user.id:
        key = "withdraw.not_reporter" if report else "tracking.not_found"
        await query.answer(plain(language, key, ref=press.report), show_alert=True)
        return
    if step != "keep" and report.status not in statuses.WITHDRAWABLE:
        # A stale button: nothing changes; the flow's own message says so too (not /status's).
        await _too_late(update, report, language, edit=step != "ask")
        return
    await query.answer()
    withdrawals = context.services.withdrawals
    if step == "keep":
        await withdrawals.keep_report(query.from_user.id)
        await _edit(query.message, t(language, "withdraw.kept", ref=report.id))
        return
    if step == "ask":
        rows = [[_button(language, f"withdraw.reason_{r}", report.id, f"why-{r}")] for r in REASONS]
        rows.append([_button(language, "withdraw.keep", report.id, "keep")])
        await context.bot.send_message(
            query.from_user.id,
            t(language, "withdraw.ask", ref=report.id),
            reply_markup=InlineKeyboardMarkup(rows),
        )
        return
    said = plain(language, f"withdraw.reason_{reason}")
    if step == "why" and reason == "other":  # typed: their next message is the reason
        await withdrawals.ask_reason(query.from_user.id, report.id)
        keep = InlineKeyboardMarkup([[_button(language, "withdraw.keep", report.id, "keep")]])
        await _edit(query.message, t(language, "withdraw.type_reason", ref=report.id), keep)
        return
    if step == "why":
        markup = InlineKeyboardMarkup(
            [
                [_button(language, "withdraw.confirm_yes", report.id, f"yes-{reason}")],
                [_button(language, "withdraw.keep", report.id, "keep")],
            ]
        )
        text = t(language, "withdraw.confirm", ref=report.id, reason=said)
        await _edit(query.message, text, markup)
        return
    if reason == "other":
        typed = await withdrawals.typed_reason(query.from_user.id, report.id)
        if typed is None:  # an old confirmation, its reason replaced or gone
            await _edit(query.message, t(language, "common.stale_button"))
            return
        note, said = typed, typed
    else:  # the history keeps a chosen reason in the officers' language: the card shows it
        note = plain(context.services.settings.default_language, f"withdraw.reason_{reason}")
    result = await withdrawals.withdraw(report.id, query.from_user.id, note)
    if result.outcome is not Outcome.CHANGED:  # taken up between the check and the change
        await _edit(query.message, _too_late_text(result.report or report, language))
        return
    await _edit(query.message, t(language, "withdraw.done", ref=report.id, reason=said))


async def _too_late(update: Update, report: Report, language: str, *, edit: bool) -> None:
    """A stale press: an officer took the report up meanwhile (or it was withdrawn already):
    said in a popup, and the pressed message loses its withdrawal buttons."""
    query = query_of(update)
    await query.answer(
        plain(
            language,
            "withdraw.too_late_popup",
            ref=report.id,
            status=plain(language, f"status.{report.status}"),
        ),
        show_alert=True,
    )
    if edit:
        await _edit(query.message, _too_late_text(report, language))


def _too_late_text(report: Report, language: str) -> str:
    status = plain(language, f"status.{report.status}")
    return t(language, "withdraw.too_late", ref=report.id, status=status)


async def _edit(message: object, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if not isinstance(message, Message):
        return
    with contextlib.suppress(BadRequest):  # pressed twice: "message is not modified"
        await message.edit_text(text, reply_markup=markup)


async def answer_prompt(message: Message, context: BotContext, language: str) -> bool:
    """The reporter's typed reason after "Alasan lain": shown back with the confirmation.
    False when no such question is open, so the message goes on to the next route."""
    withdrawals = context.services.withdrawals
    user_id = message.chat_id  # a private chat's id is its person's
    report_id = await withdrawals.asked(user_id)
    if report_id is None:
        return False
    text = (message.text or "").strip()
    if not text or len(text) > MAX_REASON:
        key = "withdraw.reason_text_only" if not text else "withdraw.reason_too_long"
        await message.reply_text(t(language, key, max=MAX_REASON, length=len(text)))
        return True
    await withdrawals.keep_reason(user_id, report_id, text)
    markup = InlineKeyboardMarkup(
        [
            [_button(language, "withdraw.confirm_yes", report_id, "yes-other")],
            [_button(language, "withdraw.keep", report_id, "keep")],
        ]
    )
    await message.reply_text(
        t(language, "withdraw.confirm", ref=report_id, reason=text), reply_markup=markup
    )
    return True


async def sent_pressed(update: Update, context: BotContext) -> None:
    """Everything the reporter sent for a report: the photos (as an album), then the words."""
    query = query_of(update)
    language = await language_of(update, context)
    press = callbacks.SENT.parse(query.data)
    services = context.services
    report = await services.store.reports.get(press.report) if press else None
    if report is None or report.citizen_id != query.from_user.id:
        key = "withdraw.not_reporter_sent" if report else "common.stale_button"
        await query.answer(plain(language, key), show_alert=report is not None)
        return
    await query.answer()
    chat = query.from_user.id
    photos = [
        photo.file_id
        for photo in await services.store.reports.photos(report.id)
        if photo.role in ("citizen", "update")
    ]
    media = [await services.evidence.sendable(file_id) for file_id in photos]
    for start in range(0, len(media), ALBUM_MAX):
        chunk = media[start : start + ALBUM_MAX]
        if len(chunk) == 1:
            await context.bot.send_photo(chat, chunk[0])
        else:
            await context.bot.send_media_group(chat, [InputMediaPhoto(p) for p in chunk])
    additions = await services.store.citizen_updates.for_report(report.id)
    notes = [update.note for update in additions if update.note]
    lines = [
        t(language, "withdraw.sent_head", ref=report.id, photos=len(photos)),
        t(language, "withdraw.sent_description", text=report.description),
    ]
    lines += [t(language, "withdraw.sent_addition", text=note) for note in notes]
    await context.bot.send_message(chat, "\n".join(lines))
