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

from bot.domain.privacy import MODES, Visibility
from bot.domain.reporting import MAX_PHOTOS
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


def privacy_choice(current: Visibility, language: str) -> InlineKeyboardMarkup:
    """/settings: the three modes, one a row, the current one ticked."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✓ " if mode is current else "") + plain(language, f"privacy.name_{mode}"),
                    callback_data=callbacks.PRIVACY.data(callbacks.Word(mode.value)),
                )
            ]
            for mode in MODES
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


def categories(items: Iterable[Category], language: str) -> ReplyKeyboardMarkup:
    """The categories as a reply keyboard, two to a row: a tap sends the label, which the
    category step reads like a typed name (no button press to answer, no stale buttons)."""
    labels: list[KeyboardButton | str] = [c.label(language) for c in items]
    rows = [list(labels[i : i + 2]) for i in range(0, len(labels), 2)]
    rows.append([plain(language, "report.cancel")])
    return _reply(rows, plain(language, "report.category_placeholder"))


def reply_menu(language: str) -> ReplyKeyboardMarkup:
    """The main menu as a reply keyboard (the welcome and idle chat): "make a report" is then
    one message, with nothing to acknowledge."""
    return ReplyKeyboardMarkup(
        [
            [plain(language, "menu.report")],
            [plain(language, "menu.mine"), plain(language, "menu.help")],
            [plain(language, "menu.language")],
        ],
        resize_keyboard=True,
    )


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


def photo_step(draft: Draft, language: str, *, optional: bool) -> ReplyKeyboardMarkup:
    """The photo step: skip where the category can do without a photo (typing the description
    does the same), done and remove when it is revisited with photos, back and cancel."""
    first: list[KeyboardButton | str] = []
    if draft.photos:
        first = [plain(language, "report.done"), plain(language, "report.remove_photos")]
    elif optional:
        first = [plain(language, "report.skip")]
    rows = [first] if first else []
    rows.append(back_cancel_row(language))
    return _reply(rows)


def description(language: str) -> ReplyKeyboardMarkup:
    return _reply([back_cancel_row(language)], plain(language, "report.description_placeholder"))


def summary(draft: Draft, language: str, visibility: Visibility) -> ReplyKeyboardMarkup:
    """Send; a photo more (up to three), edit, cancel; and the two other privacy modes, each
    one tap away (the mode shown on the summary is the one sent without a tap)."""
    second: list[KeyboardButton | str] = []
    if len(draft.photos) < MAX_PHOTOS:
        second.append(plain(language, "report.more_photos"))
    second += [plain(language, "report.edit"), plain(language, "report.cancel")]
    modes: list[KeyboardButton | str] = [
        plain(language, f"privacy.make_{mode.value}") for mode in MODES if mode is not visibility
    ]
    return _reply([[plain(language, "report.confirm")], second, modes])


EDITABLE_FIELDS = ("category", "location", "photos", "description")


def edit_menu(language: str) -> ReplyKeyboardMarkup:
    fields: list[KeyboardButton | str] = [
        plain(language, f"report.edit_{field}") for field in EDITABLE_FIELDS
    ]
    back: list[KeyboardButton | str] = [plain(language, "report.edit_back")]
    return _reply([fields[:2], fields[2:], back])


def long_description(language: str) -> ReplyKeyboardMarkup:
    """An over-long description: cut it to the limit, or write it again."""
    return _reply([[plain(language, "report.cut_yes"), plain(language, "report.cut_no")]])


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


#: The reply main menu's labels in every language, by the menu word each one stands for.
MENU_WORDS = {
    plain(language, f"menu.{word}"): word
    for language in LANGUAGES
    for word in ("report", "mine", "help", "language")
}


def nearby(report_ids: Sequence[int], language: str) -> ReplyKeyboardMarkup:
    """Follow one of the reports nearby (its reference is in the label), or go on."""
    rows: list[list[KeyboardButton | str]] = [
        [plain(language, "nearby.follow", ref=report_id)] for report_id in report_ids
    ]
    rows.append([plain(language, "nearby.different")])
    return _reply(rows)


def candidate(language: str) -> ReplyKeyboardMarkup:
    """A found place: yes, or the location step's own keyboard (share a point, type again)."""
    share = KeyboardButton(plain(language, "report.share_location"), request_location=True)
    return _reply([[plain(language, "report.address_yes")], [share], back_cancel_row(language)])
