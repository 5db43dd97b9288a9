"""Every keyboard the bot shows, with its callback data.

Callback data is built by the kinds in bot/telegram/callbacks.py. Report buttons carry the draft's
token, so a button from an older draft or an earlier step is recognised as stale rather than
obeyed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.i18n import LANGUAGES, plain
from bot.telegram import callbacks
from bot.telegram.callbacks import ButtonKind
from storage.categories import Category
from storage.drafts import Draft
from storage.reports import Report


def _draft(draft: Draft, kind: ButtonKind[callbacks.Draft]) -> str:
    return kind.data(callbacks.Draft(draft.token))


def _button(language: str, key: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(plain(language, key), callback_data=data)


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def main_menu(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(language, "menu.report", callbacks.MENU.data(callbacks.Word("report")))],
            [
                _button(language, "menu.mine", callbacks.MENU.data(callbacks.Word("mine"))),
                _button(language, "menu.help", callbacks.MENU.data(callbacks.Word("help"))),
            ],
            [_button(language, "menu.language", callbacks.MENU.data(callbacks.Word("language")))],
        ]
    )


def language_choice() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(code, "language.name"),
                    callback_data=callbacks.LANGUAGE.data(callbacks.Word(code)),
                )
                for code in LANGUAGES
            ]
        ]
    )


def open_private_chat(language: str, bot_username: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(language, "common.open_private"),
                    url=f"https://t.me/{bot_username}?start=report",
                )
            ]
        ]
    )


def categories(draft: Draft, items: Iterable[Category], language: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            c.label(language),
            callback_data=callbacks.DRAFT_CATEGORY.data(callbacks.DraftChoice(draft.token, c.key)),
        )
        for c in items
    ]
    rows = _rows(buttons, 2)
    rows.append([_button(language, "report.cancel", _draft(draft, callbacks.DRAFT_CANCEL))])
    return InlineKeyboardMarkup(rows)


def _reply(
    rows: list[list[KeyboardButton | str]], placeholder: str | None = None
) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        rows, resize_keyboard=True, is_persistent=True, input_field_placeholder=placeholder
    )


def back_cancel_row(language: str) -> list[KeyboardButton | str]:
    return [plain(language, "report.back"), plain(language, "report.cancel")]


def location_request(language: str) -> ReplyKeyboardMarkup:
    share = KeyboardButton(plain(language, "report.share_location"), request_location=True)
    return _reply([[share], back_cancel_row(language)])


def photos(draft: Draft, category: Category | None, language: str) -> ReplyKeyboardMarkup:
    first: list[KeyboardButton | str] = [plain(language, "report.done")]
    if category is not None and not category.photo_required and not draft.photos:
        first.append(plain(language, "report.skip"))
    rows = [first]
    if draft.photos:
        rows.append([plain(language, "report.remove_photos")])
    rows.append(back_cancel_row(language))
    return _reply(rows)


def description(language: str) -> ReplyKeyboardMarkup:
    return _reply([back_cancel_row(language)], plain(language, "report.description_placeholder"))


def summary(draft: Draft, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(language, "report.confirm", _draft(draft, callbacks.DRAFT_CONFIRM))],
            [
                _button(language, "report.edit", _draft(draft, callbacks.DRAFT_EDIT)),
                _button(language, "report.cancel", _draft(draft, callbacks.DRAFT_CANCEL)),
            ],
        ]
    )


EDITABLE_FIELDS = ("category", "location", "photos", "description")


def edit_menu(draft: Draft, language: str) -> InlineKeyboardMarkup:
    fields = [
        _button(
            language,
            f"report.edit_{field}",
            callbacks.DRAFT_EDIT_FIELD.data(callbacks.DraftChoice(draft.token, field)),
        )
        for field in EDITABLE_FIELDS
    ]
    rows = _rows(fields, 2)
    rows.append([_button(language, "report.edit_back", _draft(draft, callbacks.DRAFT_SUMMARY))])
    return InlineKeyboardMarkup(rows)


def continue_or_restart(draft: Draft, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(language, "report.continue", _draft(draft, callbacks.DRAFT_CONTINUE)),
                _button(language, "report.restart", _draft(draft, callbacks.DRAFT_RESTART)),
            ]
        ]
    )


def restore_or_fresh(draft: Draft, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(language, "report.restore", _draft(draft, callbacks.DRAFT_RESTORE)),
                _button(language, "report.fresh", _draft(draft, callbacks.DRAFT_RESTART)),
            ]
        ]
    )


def quick_offer(draft: Draft, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(language, "report.offer_yes", _draft(draft, callbacks.DRAFT_OFFER_YES)),
                _button(language, "report.offer_no", _draft(draft, callbacks.DRAFT_OFFER_NO)),
            ]
        ]
    )


def my_reports(
    reports: Sequence[Report], page: int, pages: int, language: str
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                f"#{r.id}", callback_data=callbacks.VIEW_REPORT.data(callbacks.ReportRef(r.id))
            )
            for r in reports
        ]
    ]
    nav = []
    if page > 0:
        nav.append(
            _button(
                language, "tracking.prev", callbacks.MY_REPORTS_PAGE.data(callbacks.Page(page - 1))
            )
        )
    if page + 1 < pages:
        nav.append(
            _button(
                language, "tracking.next", callbacks.MY_REPORTS_PAGE.data(callbacks.Page(page + 1))
            )
        )
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def reply_labels(key: str) -> frozenset[str]:
    """A reply-keyboard label in every language: the citizen may have switched mid-report."""
    return frozenset(plain(language, key) for language in LANGUAGES)


def nearby(draft: Draft, report_ids: Sequence[int], language: str) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                plain(language, "nearby.follow", ref=report_id),
                callback_data=callbacks.DRAFT_FOLLOW.data(
                    callbacks.DraftReport(draft.token, report_id)
                ),
            )
        ]
        for report_id in report_ids
    ]
    rows.append([_button(language, "nearby.different", _draft(draft, callbacks.DRAFT_DIFFERENT))])
    return InlineKeyboardMarkup(rows)


def candidate(draft: Draft, language: str) -> InlineKeyboardMarkup:
    """A found address: yes, or type again (the reply keyboard stays for sharing a point)."""
    return InlineKeyboardMarkup(
        [[_button(language, "report.address_yes", _draft(draft, callbacks.DRAFT_ADDRESS_OK))]]
    )
