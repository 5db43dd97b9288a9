"""Naming areas to people and parsing area choices from buttons (shared by /link and /invite)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.domain.permissions import is_admin
from bot.geo.directory import ScopeChoice
from bot.i18n import Html, plain, t
from bot.services import Services
from bot.telegram.callbacks import Area, ButtonKind
from bot.telegram.context import BotContext
from handlers.narrow import query_of
from storage.groups import Scope

KIND_CODES = {"kelurahan": "kel", "kecamatan": "kec", "kota": "kota"}
#: Which area picker a button belongs to: /link's (in a group) or /invite's (in private).
Picker = ButtonKind[Area]


def scope_label(services: Services, scope: Scope, language: str) -> Html:
    choice = services.directory.choice(scope)
    if choice is None:
        return Html(scope.key)
    return t(
        language,
        f"groups.scope_{scope.kind}",
        name=choice.name,
        parent=choice.parent,
        size=choice.size,
    )


def choice_data(picker: Picker, choice: ScopeChoice) -> str:
    return picker.data(Area(choice.scope.kind, choice.scope.key))


def parse_choice(picker: Picker, data: str | None) -> Scope | None:
    press = picker.parse(data)
    if press is None or press.kind not in KIND_CODES or not press.key:
        return None
    return Scope(press.kind, press.key)


async def chosen_scope(
    update: Update, context: BotContext, language: str, refusal_key: str, picker: Picker
) -> Scope | None:
    """A pressed area choice, answered: the presser must be an admin (whoever asked), and the
    choice must name a known area; None when either fails (the press is answered already)."""
    query = query_of(update)
    if not is_admin(context.services, query.from_user.id):
        await query.answer(t(language, refusal_key), show_alert=True)
        return None
    scope = parse_choice(picker, query.data)
    if scope is None or context.services.directory.choice(scope) is None:
        await query.answer(t(language, "common.stale_button"))
        return None
    await query.answer()
    return scope


def choice_keyboard(
    services: Services, picker: Picker, choices: list[ScopeChoice], language: str
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain_scope_label(services, choice.scope, language),
                    callback_data=choice_data(picker, choice),
                )
            ]
            for choice in choices
        ]
    )


def plain_scope_label(services: Services, scope: Scope, language: str) -> str:
    """An area for a button label (no HTML there)."""
    choice = services.directory.choice(scope)
    if choice is None:
        return scope.key
    return plain(
        language,
        f"groups.scope_{scope.kind}",
        name=choice.name,
        parent=choice.parent,
        size=choice.size,
    )
