"""``python -m bot agency create|list|set|link-group|unlink-group|remove``: the agencies that
receive reports by category (bot/domain/agencies.py), for an operator who may not be a Telegram
admin, or who scripts the setup of a city's hundred agencies.

Safe while the bot runs (same database, separate process). Bad arguments end with one line on
stderr and exit code 2, like ``officer`` and ``apikey``; an ``--areas`` that names no single area
is refused, because an agency handling more than meant receives other agencies' reports.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from bot.cli.usage import SCOPE_PREFIX, UsageError, exit_code, one_scope, require_database
from bot.config import Settings
from bot.domain import agencies
from bot.domain.categories import load_categories
from bot.geo.areas import AreaIndex
from bot.geo.directory import AreaDirectory
from storage.agencies import Agency
from storage.groups import Scope
from storage.store import Store

Job = Callable[[Store], Awaitable[None]]


def add_agency_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agency = commands.add_parser("agency", help="agencies: categories, areas, groups")
    actions = agency.add_subparsers(dest="agency_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="a new agency")
    create.add_argument("name", help='e.g. "Dinas SDA"')
    create.add_argument("--categories", required=True, help="comma-separated category keys")
    create.add_argument("--areas", help='";"-separated areas, e.g. "kec. Gambir" (default: all)')
    update = actions.add_parser("set", help="change what an agency handles")
    update.add_argument("name")
    update.add_argument("--categories", help="comma-separated category keys (replaces)")
    update.add_argument("--areas", help='";"-separated areas (replaces); "all": everywhere')
    actions.add_parser("list", help="every agency: categories, areas, groups")
    for verb, text in (("link-group", "send its reports to"), ("unlink-group", "stop sending to")):
        link = actions.add_parser(verb, help=f"{text} a Telegram group")
        link.add_argument("name")
        link.add_argument("chat_id", help="the group's chat id, e.g. -1001234567890")
    remove = actions.add_parser("remove", help="remove an agency (its reports go by area)")
    remove.add_argument("name")


def run_agency(settings: Settings, args: argparse.Namespace) -> int:
    """Arguments first, then the database."""

    def work() -> int:
        job = _job(settings, args)
        require_database(settings.database)
        asyncio.run(_with_store(settings, job))
        return 0

    return exit_code(f"agency {args.agency_command}", settings.areas_file, work)


async def _with_store(settings: Settings, job: Job) -> None:
    store = await Store.open(settings.database)
    try:
        await job(store)
    finally:
        await store.close()


def _categories(settings: Settings, typed: str) -> list[str]:
    known = {c.key: c for c in load_categories()}
    try:
        return agencies.check_categories(typed.split(","), known)
    except agencies.AgencyError as error:
        raise UsageError(f"--categories: {error}") from error


def _scopes(settings: Settings, typed: str) -> list[Scope]:
    directory = AreaDirectory(AreaIndex.load(settings.areas_file))
    parts = [part.strip() for part in typed.split(";") if part.strip()]
    if not parts:
        raise UsageError('--areas is empty; leave it out for everywhere, or write "all"')
    return [one_scope(directory, part, "--areas") for part in parts]


def _chat_id(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise UsageError(f"{raw!r} is not a chat id (a group's is negative)") from None


def _job(settings: Settings, args: argparse.Namespace) -> Job:
    command = args.agency_command
    if command == "list":
        return _list
    if command == "create":
        try:
            name = agencies.check_name(args.name)
        except agencies.AgencyError as error:
            raise UsageError(str(error)) from error
        categories = _categories(settings, args.categories)
        scopes = _scopes(settings, args.areas) if args.areas is not None else []
        return lambda store: _create(store, name, categories, scopes)
    if command == "set":
        if args.categories is None and args.areas is None:
            raise UsageError("set: give --categories, --areas or both")
        kinds = _categories(settings, args.categories) if args.categories else None
        areas: list[Scope] | None = None
        if args.areas is not None:
            areas = [] if args.areas.strip().lower() == "all" else _scopes(settings, args.areas)
        return lambda store: _set(store, args.name, kinds, areas)
    if command in ("link-group", "unlink-group"):
        chat_id = _chat_id(args.chat_id)
        return lambda store: _link(store, args.name, chat_id, command == "link-group")
    return lambda store: _remove(store, args.name)


async def _named(store: Store, name: str) -> Agency:
    agency = await store.agencies.by_name(name)
    if agency is None:
        raise UsageError(f"no agency named {name!r}; see: agency list")
    return agency


def _label(scope: Scope) -> str:
    return f"{SCOPE_PREFIX[scope.kind]} {scope.key}"


def describe(agency: Agency) -> str:
    """One line per agency, as ``agency list`` prints it."""
    areas = ", ".join(_label(scope) for scope in agency.scopes) or "everywhere"
    groups = ", ".join(str(chat) for chat in agency.chats) or "no group yet"
    return f"{agency.name}: {', '.join(agency.categories)} | {areas} | groups: {groups}"


async def _create(store: Store, name: str, categories: list[str], scopes: list[Scope]) -> None:
    try:
        await agencies.create(store, name, categories, scopes, None)
    except agencies.AgencyError as error:
        raise UsageError(f"{error}; see: agency list") from error
    agency = await _named(store, name)
    print(f"created {describe(agency)}")
    print(f"next: agency link-group {name!r} CHAT_ID, or /agency {name} in the group")


async def _set(
    store: Store, name: str, categories: list[str] | None, scopes: list[Scope] | None
) -> None:
    agency = await _named(store, name)
    await store.agencies.update(agency.id, categories, scopes)
    print(f"updated {describe(await _named(store, name))}")


async def _list(store: Store) -> None:
    found = await store.agencies.all()
    if not found:
        print('no agencies; create one with: agency create "Dinas SDA" --categories flood')
    for agency in found:
        print(describe(agency))


async def _link(store: Store, name: str, chat_id: int, link: bool) -> None:
    agency = await _named(store, name)
    if link:
        added = await store.agencies.link(agency.id, chat_id, None, None)
        print(f"group {chat_id} {'now receives' if added else 'already receives'} {agency.name}")
        return
    if not await store.agencies.unlink(chat_id, agency.id):
        raise UsageError(f"group {chat_id} is not linked to {agency.name}")
    print(f"group {chat_id} no longer receives {agency.name}'s reports")


async def _remove(store: Store, name: str) -> None:
    agency = await _named(store, name)
    await store.agencies.remove(agency.id)
    print(f"removed {agency.name}; its reports go by area again")
