"""Every keyboard the bot shows, with its callback data.

Callback data is ``<action>:<ids>`` and at most 64 bytes. Report buttons carry the draft's token,
so a button from an older draft or an earlier step is recognised as stale rather than obeyed.
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
from storage.categories import Category
from storage.drafts import Draft
from storage.reports import Report

REPORT_PREFIX = "r"
MENU_PREFIX = "m"
LANGUAGE_PREFIX = "lang"
MY_REPORTS_PREFIX = "my"
VIEW_PREFIX = "vw"


def report_data(draft: Draft, action: str, arg: str = "") -> str:
    return f"{REPORT_PREFIX}:{draft.token}:{action}" + (f":{arg}" if arg else "")


def _button(language: str, key: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(plain(language, key), callback_data=data)


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def main_menu(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(language, "menu.report", f"{MENU_PREFIX}:report")],
            [
                _button(language, "menu.mine", f"{MENU_PREFIX}:mine"),
                _button(language, "menu.help", f"{MENU_PREFIX}:help"),
            ],
            [_button(language, "menu.language", f"{MENU_PREFIX}:lang")],
        ]
    )


def language_choice() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(plain(code, "language.name"), callback_data=f"lang:{code}")
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
        InlineKeyboardButton(c.label(language), callback_data=report_data(draft, "cat", c.key))
        for c in items
    ]
    rows = _rows(buttons, 2)
    rows.append([_button(language, "report.cancel", report_data(draft, "x"))])
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
            [_button(language, "report.confirm", report_data(draft, "ok"))],
            [
                _button(language, "report.edit", report_data(draft, "ed")),
                _button(language, "report.cancel", report_data(draft, "x")),
            ],
        ]
    )


EDITABLE_FIELDS = ("category", "location", "photos", "description")


def edit_menu(draft: Draft, language: str) -> InlineKeyboardMarkup:
    fields = [
        _button(language, f"report.edit_{field}", report_data(draft, "ef", field))
        for field in EDITABLE_FIELDS
    ]
    rows = _rows(fields, 2)
    rows.append([_button(language, "report.edit_back", report_data(draft, "eb"))])
    return InlineKeyboardMarkup(rows)


def continue_or_restart(draft: Draft, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(language, "report.continue", report_data(draft, "cont")),
                _button(language, "report.restart", report_data(draft, "new")),
            ]
        ]
    )


def restore_or_fresh(draft: Draft, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(language, "report.restore", report_data(draft, "rs")),
                _button(language, "report.fresh", report_data(draft, "new")),
            ]
        ]
    )


def quick_offer(draft: Draft, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(language, "report.offer_yes", report_data(draft, "qy")),
                _button(language, "report.offer_no", report_data(draft, "qn")),
            ]
        ]
    )


def my_reports(
    reports: Sequence[Report], page: int, pages: int, language: str
) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(f"#{r.id}", callback_data=f"{VIEW_PREFIX}:{r.id}") for r in reports]
    ]
    nav = []
    if page > 0:
        nav.append(_button(language, "tracking.prev", f"{MY_REPORTS_PREFIX}:{page - 1}"))
    if page + 1 < pages:
        nav.append(_button(language, "tracking.next", f"{MY_REPORTS_PREFIX}:{page + 1}"))
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
                callback_data=report_data(draft, "fol", str(report_id)),
            )
        ]
        for report_id in report_ids
    ]
    rows.append([_button(language, "nearby.different", report_data(draft, "dif"))])
    return InlineKeyboardMarkup(rows)


def candidate(draft: Draft, language: str) -> InlineKeyboardMarkup:
    """A found address: yes, or type again (the reply keyboard stays for sharing a point)."""
    return InlineKeyboardMarkup(
        [[_button(language, "report.address_yes", report_data(draft, "here"))]]
    )
