"""/agencies and /agency_new: WargaLapor admins manage agencies from their private chat (issue 18),
as ``python -m bot agency`` does from a shell, through the same rules (bot/domain/agencies.py).

``/agency_new Dinas SDA`` creates the agency and answers with its card: a toggle button per
category, its areas (✖️ takes one off, "📍 Tambah wilayah" asks for a typed name, resolved by the
area directory /link uses, "🌐 Semua wilayah" widens it), and removal behind a confirmation.
``/agencies`` lists them all, a button each to open its card. A group is linked with ``/agency
Dinas SDA`` inside the group (handlers/groups/agency_links.py).

Admin rights are checked on the server for the commands, every press and the typed area, since
anyone can send any callback data; a press about an agency that is gone says so.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.domain import agencies
from bot.domain.agencies import AgencyError
from bot.domain.permissions import is_admin
from bot.i18n import Html, plain, t
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from handlers.agency_cards import area_button, area_question, card, confirm_removal, listing
from handlers.areas import KIND_CODES, plain_scope_label, scope_label
from handlers.narrow import message_of, pressed_message, query_of, user_of
from handlers.people import admin_in_private, language_of
from storage.agencies import Agency
from storage.groups import Scope


async def _admin_private(update: Update, context: BotContext, language: str) -> bool:
    """Only admins, and only privately (a group's members need not see the setup)."""
    return await admin_in_private(
        update,
        context,
        language,
        refusal="agency_admin.admin_only",
        private_only="agency_admin.private_only",
    )


def _error(error: AgencyError, language: str) -> str:
    """A refused change in the admin's language (the error's own text is the CLI's English)."""
    return plain(language, f"agency_admin.error_{error.code}", limit=agencies.NAME_LIMIT)


async def agencies_command(update: Update, context: BotContext) -> None:
    language = await language_of(update, context)
    if not await _admin_private(update, context, language):
        return
    services = context.services
    text, markup = listing(services, await services.store.agencies.all(), 0, language)
    await message_of(update).reply_text(text, reply_markup=markup)


async def agency_new_command(update: Update, context: BotContext) -> None:
    """``/agency_new Dinas SDA``: the agency, with no category yet, and its card to choose them."""
    language = await language_of(update, context)
    if not await _admin_private(update, context, language):
        return
    message = message_of(update)
    name = " ".join(context.args or [])
    if not name.strip():
        await message.reply_text(t(language, "agency_admin.new_usage"))
        return
    store = context.services.store
    try:
        agency_id = await agencies.create(store, name, [], [], user_of(update).id)
    except AgencyError as error:
        if error.code == "exists":
            await message.reply_text(t(language, "agency_admin.exists", name=name.strip()))
        else:
            await message.reply_text(_error(error, language))
        return
    agency = await store.agencies.get(agency_id)
    assert agency is not None  # just created, in this chat's turn
    header = t(language, "agency_admin.created", name=agency.name)
    text, markup = card(context.services, agency, language, header)
    await message.reply_text(text, reply_markup=markup)


async def _replace(message: Message | None, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if message is None:
        return
    with contextlib.suppress(BadRequest):  # pressed twice: "message is not modified"
        await message.edit_text(text, reply_markup=markup)


async def _pressed(
    update: Update, context: BotContext, agency_id: int
) -> tuple[str, Agency] | None:
    """The presser's language and the agency, when an admin pressed and the agency exists;
    otherwise the press is answered (and a gone agency's card becomes the list)."""
    query = query_of(update)
    language = await language_of(update, context)
    services = context.services
    if not is_admin(services, query.from_user.id):
        await query.answer(plain(language, "agency_admin.admin_only"), show_alert=True)
        return None
    agency = await services.store.agencies.get(agency_id)
    if agency is None:
        await query.answer(plain(language, "agency_admin.gone"), show_alert=True)
        text, markup = listing(services, await services.store.agencies.all(), 0, language)
        await _replace(pressed_message(query), text, markup)
        return None
    return language, agency


async def page_pressed(update: Update, context: BotContext) -> None:
    query = query_of(update)
    language = await language_of(update, context)
    services = context.services
    press = callbacks.AGENCIES_PAGE.parse(query.data)
    if not is_admin(services, query.from_user.id) or press is None:
        key = "common.stale_button" if press is None else "agency_admin.admin_only"
        await query.answer(plain(language, key), show_alert=press is not None)
        return
    await query.answer()
    found = await services.store.agencies.all()
    text, markup = listing(services, found, press.page, language)
    await _replace(pressed_message(query), text, markup)


async def card_pressed(update: Update, context: BotContext) -> None:
    """A card's buttons: ``show``, ``on-<key>``/``off-<key>``, ``area``, ``all``, ``remove``,
    ``removed`` (the confirmation) and ``cancel`` (the area question)."""
    query = query_of(update)
    press = callbacks.AGENCY_ADMIN.parse(query.data)
    if press is None:
        await query.answer(plain(await language_of(update, context), "common.stale_button"))
        return
    if (pressed := await _pressed(update, context, press.agency)) is None:
        return
    language, agency = pressed
    services, step, message = context.services, press.step, pressed_message(query)
    store = services.store
    switch, _, key = step.partition("-")
    try:
        if switch in ("on", "off") and key:
            await agencies.switch_category(store, agency, key, switch == "on", services.categories)
        elif step == "all":
            await agencies.everywhere(store, agency)
        elif step == "area":
            await agencies.ask_area(store, query.from_user.id, agency.id)
            await query.answer()
            text, markup = area_question(agency, language)
            await context.bot.send_message(query.from_user.id, text, reply_markup=markup)
            return
        elif step == "remove":
            await query.answer()
            await _replace(message, *confirm_removal(agency, language))
            return
        elif step == "removed":
            await agencies.remove(store, agency)
            await query.answer()
            await _replace(message, t(language, "agency_admin.removed", name=agency.name), None)
            return
        elif step == "cancel":  # this agency's question only: a later one stays open
            asked = await agencies.asked_area(store, query.from_user.id, services.clock.now())
            if asked == agency.id:
                await agencies.forget_question(store, query.from_user.id)
            await query.answer()
            await _replace(message, t(language, "agency_admin.area_cancelled"), None)
            return
        elif step != "show":
            await query.answer(plain(language, "common.stale_button"))
            return
    except AgencyError as error:
        await query.answer(_error(error, language), show_alert=True)
        return
    await query.answer()
    await _show(context, agency.id, language, message)


async def _show(
    context: BotContext,
    agency_id: int,
    language: str,
    message: Message | None,
    header: Html | None = None,
) -> None:
    """The agency's card as it is now, over ``message``."""
    agency = await context.services.store.agencies.get(agency_id)
    if agency is not None:
        await _replace(message, *card(context.services, agency, language, header))


async def area_pressed(update: Update, context: BotContext) -> None:
    """An area button: ``add`` (from the typed name's picker) or ``drop`` (on the card)."""
    query = query_of(update)
    press = callbacks.AGENCY_AREA.parse(query.data)
    services = context.services
    scope = Scope(press.kind, press.key) if press else None
    known = scope is not None and scope.kind in KIND_CODES and services.directory.choice(scope)
    if press is None or scope is None or not known or press.action not in ("add", "drop"):
        await query.answer(plain(await language_of(update, context), "common.stale_button"))
        return
    if (pressed := await _pressed(update, context, press.agency)) is None:
        return
    language, agency = pressed
    header = None
    try:
        if press.action == "add":
            await agencies.add_area(services.store, agency, scope, query.from_user.id)
            label = scope_label(services, scope, language)
            header = t(language, "agency_admin.area_added", name=agency.name, area=label)
        else:
            await agencies.drop_area(services.store, agency, scope)
    except AgencyError as error:
        await query.answer(_error(error, language), show_alert=True)
        return
    await query.answer()
    await _show(context, agency.id, language, pressed_message(query), header)


async def answer_prompt(message: Message, context: BotContext, language: str) -> bool:
    """An admin's typed area after "📍 Tambah wilayah": one area is added at once, several are
    offered as buttons, none gets suggestions (and the question stays open for another try).
    False when no such question is open, so the message goes on to the next route."""
    services = context.services
    admin_id = message.chat_id  # a private chat's id is its person's
    if not is_admin(services, admin_id):
        return False
    agency_id = await agencies.asked_area(services.store, admin_id, services.clock.now())
    if agency_id is None:
        return False
    agency = await services.store.agencies.get(agency_id)
    if agency is None:
        await agencies.forget_question(services.store, admin_id)
        await message.reply_text(t(language, "agency_admin.gone"))
        return True
    query = (message.text or "").strip()
    if not query:
        await message.reply_text(t(language, "agency_admin.area_text_only"))
        return True
    choices = services.directory.resolve(query)
    if len(choices) == 1:
        scope = choices[0].scope
        await agencies.add_area(services.store, agency, scope, admin_id)
        fresh = await services.store.agencies.get(agency.id)
        label = scope_label(services, scope, language)
        header = t(language, "agency_admin.area_added", name=agency.name, area=label)
        text, markup = card(services, fresh or agency, language, header)
        await message.reply_text(text, reply_markup=markup)
        return True
    offered = choices or services.directory.suggest(query)
    key = "agency_admin.area_pick" if choices else "agency_admin.area_suggest"
    if not offered:
        key = "agency_admin.area_not_found"
    rows = [
        [area_button(agency, "add", c.scope, plain_scope_label(services, c.scope, language))]
        for c in offered
    ]
    text = t(language, key, query=query, name=agency.name)
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)
    return True


async def cancel_question(update: Update, context: BotContext) -> bool:
    """/cancel while an admin's area question is open withdraws it; False when none is."""
    services, user = context.services, user_of(update)
    if not is_admin(services, user.id):
        return False
    if await agencies.asked_area(services.store, user.id, services.clock.now()) is None:
        return False
    await agencies.forget_question(services.store, user.id)
    language = await language_of(update, context)
    await message_of(update).reply_text(t(language, "agency_admin.area_cancelled"))
    return True
