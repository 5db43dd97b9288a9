"""/officers and /invites: admins see who acts for which area and which invites are open, and
take officers off or withdraw invites with a button.

Admin rights are checked on the server for the command and for every press, since anyone can
send any callback data. Button data names an officer row by its rowid and user id together, so a
stale button can never remove someone else after the row was reused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.domain.permissions import is_admin
from bot.i18n import Html, plain, t
from bot.telegram import callbacks
from bot.telegram.callbacks import ButtonKind, OfficerRow, Page
from bot.telegram.context import BotContext
from handlers.areas import plain_scope_label, scope_label
from handlers.narrow import message_of, query_of
from handlers.people import admin_in_private, language_of
from storage.groups import Invite, Officer

PAGE_SIZE = 8
MAX_NAME = 28  # a button label has room for a name and an area
T = TypeVar("T")


def _who(officer: Officer) -> str:
    name = (officer.name or "").strip() or str(officer.user_id)
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def _paged(items: list[T], page: int) -> tuple[list[T], int, int]:
    """The items on ``page`` (clamped, so a button from a longer list still shows something),
    that page, and how many pages there are; ``items`` is not empty."""
    pages = (len(items) + PAGE_SIZE - 1) // PAGE_SIZE
    page = max(0, min(page, pages - 1))
    return items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], page, pages


def _page_row(kind: ButtonKind[Page], page: int, pages: int) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀️", callback_data=kind.data(Page(page - 1))))
    if page < pages - 1:
        row.append(InlineKeyboardButton("▶️", callback_data=kind.data(Page(page + 1))))
    return row


async def _admin_private(update: Update, context: BotContext, language: str) -> bool:
    """Only admins, and only privately (the lists name people and areas)."""
    return await admin_in_private(
        update,
        context,
        language,
        refusal="officer.manage_admin_only",
        private_only="officer.invite_private",
    )


def _list_page(
    items: list[T],
    page: int,
    language: str,
    button: Callable[[T], InlineKeyboardButton],
    pager: ButtonKind[Page],
    text_key: str,
) -> tuple[Html, InlineKeyboardMarkup] | None:
    """One page of a list, a button per item and ◀️/▶️ below; None for an empty list, which
    each list words its own way."""
    if not items:
        return None
    shown, page, pages = _paged(items, page)
    rows = [[button(item)] for item in shown]
    if nav := _page_row(pager, page, pages):
        rows.append(nav)
    text = t(language, text_key, count=len(items), page=page + 1, pages=pages)
    return text, InlineKeyboardMarkup(rows)


#: A list's page for a chat: its text and buttons (None when the list is empty).
Pager = Callable[[BotContext, int, str], Awaitable[tuple[Html, InlineKeyboardMarkup | None]]]


async def _first_page(update: Update, context: BotContext, pager: Pager) -> None:
    """/officers and /invites: the list's first page, for an admin in private only."""
    language = await language_of(update, context)
    if not await _admin_private(update, context, language):
        return
    text, markup = await pager(context, 0, language)
    await message_of(update).reply_text(text, reply_markup=markup)


async def _pressed_by_admin(update: Update, context: BotContext, language: str) -> bool:
    query = query_of(update)
    if is_admin(context.services, query.from_user.id):
        return True
    await query.answer(plain(language, "officer.manage_admin_only"), show_alert=True)
    return False


# --- officers ------------------------------------------------------------------------------


async def _officers_page(
    context: BotContext, page: int, language: str
) -> tuple[Html, InlineKeyboardMarkup | None]:
    services = context.services

    def remove_button(officer: Officer) -> InlineKeyboardButton:
        label = f"✖️ {_who(officer)} · {plain_scope_label(services, officer.scope, language)}"
        row = OfficerRow(officer.rowid, officer.user_id)
        return InlineKeyboardButton(label, callback_data=callbacks.OFFICER_REMOVE.data(row))

    officers = await services.store.officers.all()
    return _list_page(
        officers, page, language, remove_button, callbacks.OFFICERS_PAGE, "officer.list"
    ) or (t(language, "officer.list_empty"), None)


async def officers_command(update: Update, context: BotContext) -> None:
    await _first_page(update, context, _officers_page)


async def officers_pressed(update: Update, context: BotContext) -> None:
    """``of:pg:<page>``, ``of:rm:<rowid>:<user>`` (asks), ``of:ok:<rowid>:<user>`` (removes)."""
    query = query_of(update)
    language = await language_of(update, context)
    if not await _pressed_by_admin(update, context, language):
        return
    listed = callbacks.OFFICERS_PAGE.parse(query.data)
    if listed is not None:
        await query.answer()
        text, markup = await _officers_page(context, listed.page, language)
        await _replace(update, text, markup)
        return
    asked = callbacks.OFFICER_REMOVE.parse(query.data)
    row = asked or callbacks.OFFICER_REMOVE_CONFIRMED.parse(query.data)
    officer = await context.services.store.officers.by_rowid(row.rowid) if row else None
    if row is None or officer is None or officer.user_id != row.user:
        await query.answer(plain(language, "officer.gone"), show_alert=True)
        text, markup = await _officers_page(context, 0, language)
        await _replace(update, text, markup)
        return
    await query.answer()
    services = context.services
    params = {"name": _who(officer), "scope": scope_label(services, officer.scope, language)}
    if asked is not None:
        confirm = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        plain(language, "officer.remove_yes"),
                        callback_data=callbacks.OFFICER_REMOVE_CONFIRMED.data(
                            OfficerRow(officer.rowid, officer.user_id)
                        ),
                    ),
                    InlineKeyboardButton(
                        plain(language, "officer.remove_no"),
                        callback_data=callbacks.OFFICERS_PAGE.data(Page(0)),
                    ),
                ]
            ]
        )
        await _replace(update, t(language, "officer.remove_confirm", **params), confirm)
        return
    await services.officers.remove(officer.user_id, officer.scope)
    await _replace(update, t(language, "officer.removed", **params), None)


# --- invites -------------------------------------------------------------------------------


async def _invites_page(
    context: BotContext, page: int, language: str
) -> tuple[Html, InlineKeyboardMarkup | None]:
    services = context.services

    def revoke_button(invite: Invite) -> InlineKeyboardButton:
        until = datetime.fromisoformat(invite.expires_at).astimezone(services.settings.tz)
        scope = plain_scope_label(services, invite.scope, language)
        label = plain(
            language, "officer.invite_button", id=invite.id, scope=scope, until=f"{until:%d/%m}"
        )
        data = callbacks.INVITE_REVOKE.data(callbacks.Number(invite.id))
        return InlineKeyboardButton(label, callback_data=data)

    invites = await services.store.officers.open_invites(datetime.now(UTC))
    return _list_page(
        invites, page, language, revoke_button, callbacks.INVITES_PAGE, "officer.invites"
    ) or (t(language, "officer.invites_empty"), None)


async def invites_command(update: Update, context: BotContext) -> None:
    await _first_page(update, context, _invites_page)


async def invites_pressed(update: Update, context: BotContext) -> None:
    """``in:pg:<page>`` and ``in:rv:<id>`` (withdraws the invite at once)."""
    query = query_of(update)
    language = await language_of(update, context)
    if not await _pressed_by_admin(update, context, language):
        return
    listed = callbacks.INVITES_PAGE.parse(query.data)
    revoke = callbacks.INVITE_REVOKE.parse(query.data)
    if listed is None and revoke is None:
        await query.answer(plain(language, "common.stale_button"))
        return
    page = listed.page if listed else 0
    if revoke is not None:
        value = revoke.number
        revoked = await context.services.officers.revoke_invite(value)
        key = "officer.invite_withdrawn" if revoked else "officer.invite_gone"
        await query.answer(plain(language, key, id=value), show_alert=not revoked)
    else:
        await query.answer()
    text, markup = await _invites_page(context, page, language)
    await _replace(update, text, markup)


async def _replace(update: Update, text: Html, markup: InlineKeyboardMarkup | None) -> None:
    with contextlib.suppress(BadRequest):  # "not modified": a second tap on the same button
        await query_of(update).edit_message_text(text, reply_markup=markup)
