"""What /agencies shows an admin: the list of agencies, one agency's card (its categories as
toggle buttons, its areas, its groups) and the removal's confirmation. Rendering only; the
presses are handlers/agency_admin.py's.

Why every category button carries the state it switches to (``on-flood`` / ``off-flood``)
rather than "toggle": a card left in the chat, or one of two cards of the same agency, then sets
what its label promised, never the opposite of what another card did meanwhile.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Html, plain, t
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.callbacks import AgencyArea, AgencyStep, Page
from handlers.areas import plain_scope_label, scope_label
from storage.agencies import Agency
from storage.groups import Scope

PAGE_SIZE = 8
LIST_AREAS = 3  # areas named on a list line; the card names them all
PER_ROW = 2  # category buttons side by side


def _step(agency: Agency, step: str, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=callbacks.AGENCY_ADMIN.data(AgencyStep(agency.id, step))
    )


def area_button(agency: Agency, action: str, scope: Scope, label: str) -> InlineKeyboardButton:
    data = callbacks.AGENCY_AREA.data(AgencyArea(agency.id, action, scope.kind, scope.key))
    return InlineKeyboardButton(label, callback_data=data)


def _categories(services: Services, agency: Agency, language: str) -> Html:
    known = services.categories
    names = [known[key].label(language) if key in known else key for key in agency.categories]
    return Html(", ".join(t(language, "agency.item", name=name) for name in names))


def summary(
    services: Services, agency: Agency, language: str, short: bool = False
) -> dict[str, Html]:
    """The agency's categories, areas and groups, worded for a card or (``short``) a list line:
    there at most :data:`LIST_AREAS` areas and a short "no group", so a page of agencies with
    many areas stays within a Telegram message."""
    categories = (
        _categories(services, agency, language)
        if agency.categories
        else t(language, "agency_admin.no_categories")
    )
    scopes = agency.scopes[:LIST_AREAS] if short else agency.scopes
    labels = [scope_label(services, scope, language) for scope in scopes]
    if len(agency.scopes) > len(scopes):
        labels.append(
            t(language, "agency_admin.more_areas", count=len(agency.scopes) - len(scopes))
        )
    areas = Html(", ".join(labels)) if labels else t(language, "agency_admin.everywhere")
    none_key = "agency_admin.no_groups_short" if short else "agency_admin.no_groups"
    groups = (
        t(language, "agency_admin.groups", count=len(agency.chats))
        if agency.chats
        else t(language, none_key, name=agency.name)
    )
    return {"categories": categories, "areas": areas, "groups": groups}


def card(
    services: Services, agency: Agency, language: str, header: Html | None = None
) -> tuple[Html, InlineKeyboardMarkup]:
    """An agency's card: what it handles, with a button per category (✅ on), per area (✖️ takes
    it off), to add an area, to make it everywhere, to remove it, and back to the list."""
    text = t(language, "agency_admin.card", name=agency.name, **summary(services, agency, language))
    if header:
        text = Html(f"{header}\n\n{text}")
    shown = sorted(
        (c for c in services.categories.values() if c.active or c.key in agency.categories),
        key=lambda c: (c.position, c.key),
    )
    buttons = [
        _step(
            agency,
            f"off-{c.key}" if c.key in agency.categories else f"on-{c.key}",
            ("✅ " if c.key in agency.categories else "▫️ ") + c.label(language),
        )
        for c in shown
    ]
    rows = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    for scope in agency.scopes:
        label = plain(
            language,
            "agency_admin.button_drop_area",
            area=plain_scope_label(services, scope, language),
        )
        rows.append([area_button(agency, "drop", scope, label)])
    area_row = [_step(agency, "area", plain(language, "agency_admin.button_area"))]
    if agency.scopes:
        area_row.append(_step(agency, "all", plain(language, "agency_admin.button_all")))
    rows.append(area_row)
    rows.append(
        [
            _step(agency, "remove", plain(language, "agency_admin.button_remove")),
            list_button(language),
        ]
    )
    return text, InlineKeyboardMarkup(rows)


def list_button(language: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        plain(language, "agency_admin.button_list"),
        callback_data=callbacks.AGENCIES_PAGE.data(Page(0)),
    )


def listing(
    services: Services, found: list[Agency], page: int, language: str
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """One page of every agency: a line each, a button each to open its card, ◀️/▶️."""
    if not found:
        return t(language, "agency_admin.list_empty"), None
    pages = (len(found) + PAGE_SIZE - 1) // PAGE_SIZE
    page = max(0, min(page, pages - 1))  # a button from a longer list still shows a page
    shown = found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    items = Html(
        "\n".join(
            t(
                language,
                "agency_admin.list_item",
                name=a.name,
                **summary(services, a, language, short=True),
            )
            for a in shown
        )
    )
    text = t(
        language, "agency_admin.list", count=len(found), page=page + 1, pages=pages, items=items
    )
    rows = [[_step(a, "show", f"⚙️ {a.name}")] for a in shown]
    nav = []
    if page > 0:
        data = callbacks.AGENCIES_PAGE.data(Page(page - 1))
        nav.append(InlineKeyboardButton("◀️", callback_data=data))
    if page < pages - 1:
        data = callbacks.AGENCIES_PAGE.data(Page(page + 1))
        nav.append(InlineKeyboardButton("▶️", callback_data=data))
    if nav:
        rows.append(nav)
    return text, InlineKeyboardMarkup(rows)


def confirm_removal(agency: Agency, language: str) -> tuple[Html, InlineKeyboardMarkup]:
    text = t(language, "agency_admin.confirm_remove", name=agency.name, groups=len(agency.chats))
    markup = InlineKeyboardMarkup(
        [
            [_step(agency, "removed", plain(language, "agency_admin.button_confirm_remove"))],
            [_step(agency, "show", plain(language, "agency_admin.button_keep"))],
        ]
    )
    return text, markup


def area_question(agency: Agency, language: str) -> tuple[Html, InlineKeyboardMarkup]:
    text = t(language, "agency_admin.ask_area", name=agency.name)
    cancel = _step(agency, "cancel", plain(language, "agency_admin.button_cancel"))
    return text, InlineKeyboardMarkup([[cancel]])
