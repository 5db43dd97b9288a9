"""Naming areas to people and parsing area choices from buttons (shared by /link and /invite)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.domain.permissions import is_admin
from bot.geo.directory import ScopeChoice
from bot.i18n import Html, plain, t
from bot.services import Services
from bot.telegram.callbacks import Area, ButtonKind
from bot.telegram.context import BotContext
from handlers.messages import drop_buttons
from handlers.narrow import pressed_message, query_of
from handlers.people import language_of
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
    choice must name a known area; None when either fails (the press is answered already).
    An accepted choice takes the picker's buttons away, so a second tap cannot act twice."""
    query = query_of(update)
    if not is_admin(context.services, query.from_user.id):
        await query.answer(t(language, refusal_key), show_alert=True)
        return None
    scope = parse_choice(picker, query.data)
    if scope is None or context.services.directory.choice(scope) is None:
        await query.answer(t(language, "common.stale_button"))
        return None
    await query.answer()
    await drop_buttons(pressed_message(query))
    return scope


#: What a chosen area does: link the group, create the invite… (update, context, scope, language).
AreaAction = Callable[[Update, BotContext, Scope, str], Awaitable[None]]


def on_area_chosen(
    picker: Picker, refusal_key: str, act: AreaAction
) -> Callable[[Update, BotContext], Awaitable[None]]:
    """The handler of a picker's buttons: the presser must be an admin too (whoever sent the
    command that showed the picker), then ``act`` runs on the chosen area."""

    async def chosen(update: Update, context: BotContext) -> None:
        language = await language_of(update, context)
        scope = await chosen_scope(update, context, language, refusal_key, picker)
        if scope is not None:
            await act(update, context, scope, language)

    return chosen


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
