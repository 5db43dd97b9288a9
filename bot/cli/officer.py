"""``python -m bot officer list|remove|invites|revoke-invite`` and ``python -m bot citizen
ban|unban``: the operator's view of who may act for an area, and who may write to the bot.

Why here as well as in Telegram: an operator cleaning up after someone left may not be an admin
in Telegram, or may script it. Removal goes through :func:`bot.domain.officers.remove_officer`, the
same as the /officers button, so web sessions end the same way. Safe while the bot runs (same
database, separate process). Bad arguments end with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.cli.usage import SCOPE_PREFIX, UsageError, exit_code, one_scope, require_database
from bot.config import Settings
from bot.domain.officers import remove_officer
from bot.geo.areas import AreaIndex
from bot.geo.directory import AreaDirectory
from bot.ids import parse_id
from storage.groups import Scope
from storage.store import Store

GROUP_ADMIN_NOTE = (
    "note: administrators of a group linked to an area still count as its officers there"
    " (Telegram says so); demote them in the group too"
)

Job = Callable[[Store], Awaitable[None]]


def add_officer_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    officer = commands.add_parser(
        "officer", help="list and remove officers, list and revoke invites"
    )
    actions = officer.add_subparsers(dest="officer_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="every officer and area")
    remove = actions.add_parser("remove", help="take an officer off one area, or off all")
    remove.add_argument("user_id", help="their Telegram user id (see: officer list)")
    remove.add_argument("--area", help='only this area, e.g. "kel. Gambir" (default: all)')
    actions.add_parser("invites", help="open invites, by their short id")
    revoke = actions.add_parser("revoke-invite", help="withdraw an open invite")
    revoke.add_argument("id", help="the invite's id, e.g. 12 or #12")
    citizen = commands.add_parser("citizen", help="ban or unban a citizen")
    verbs = citizen.add_subparsers(dest="citizen_command", required=True, metavar="ACTION")
    for verb in ("ban", "unban"):
        verbs.add_parser(verb, help=f"{verb} a citizen").add_argument("user_id")


def run_officer(settings: Settings, args: argparse.Namespace) -> int:
    """``officer`` and ``citizen``: arguments first, then the database."""
    action = args.officer_command if args.command == "officer" else args.citizen_command
    command = f"{args.command} {action}"

    def work() -> int:
        job = (
            _officer_job(settings, args)
            if args.command == "officer"
            else _citizen_job(settings, args)
        )
        require_database(settings.database)
        asyncio.run(_with_store(settings, job))
        return 0

    return exit_code(command, settings.areas_file, work)


async def _with_store(settings: Settings, job: Job) -> None:
    store = await Store.open(settings.database)
    try:
        await job(store)
    finally:
        await store.close()


def _user_id(raw: str) -> int:
    user_id = parse_id(raw.strip())
    if user_id is None:
        raise UsageError(f"{raw!r} is not a Telegram user id (digits only)")
    return user_id


def _one_scope(settings: Settings, text: str) -> Scope:
    return one_scope(AreaDirectory(AreaIndex.load(settings.areas_file)), text, "--area")


def _label(scope: Scope) -> str:
    return f"{SCOPE_PREFIX[scope.kind]} {scope.key}"


def _officer_job(settings: Settings, args: argparse.Namespace) -> Job:
    command = args.officer_command
    if command == "list":
        return _list
    if command == "invites":
        return _invites
    if command == "revoke-invite":
        invite_id = parse_id(args.id.strip().lstrip("#"))
        if invite_id is None:
            raise UsageError(f"{args.id!r} is not an invite id; see: officer invites")
        return lambda store: _revoke(store, invite_id)
    user_id = _user_id(args.user_id)
    scope = _one_scope(settings, args.area) if args.area is not None else None
    return lambda store: _remove(store, user_id, scope)


async def _list(store: Store) -> None:
    officers = await store.officers.all()
    if not officers:
        print("no officers; invite one with /invite in Telegram")
        return
    for officer in officers:
        name = officer.name or "-"
        print(
            f"{officer.user_id:<14} {name[:24]:<24} {_label(officer.scope):<28}"
            f" added {officer.added_at}"
        )


async def _remove(store: Store, user_id: int, scope: Scope | None) -> None:
    removed = await remove_officer(store, user_id, scope)
    if not removed:
        where = f" of {_label(scope)}" if scope else ""
        raise UsageError(f"{user_id} is not an officer{where}; see: officer list")
    print(f"removed {user_id} from {removed} area(s); their web sessions ended")
    print(GROUP_ADMIN_NOTE)


async def _invites(store: Store) -> None:
    invites = await store.officers.open_invites(datetime.now(UTC))
    if not invites:
        print("no open invites")
        return
    for invite in invites:
        print(
            f"#{invite.id:<6} {_label(invite.scope):<28} by {invite.created_by:<14}"
            f" expires {invite.expires_at}"
        )


async def _revoke(store: Store, invite_id: int) -> None:
    if not await store.officers.revoke_invite(invite_id, datetime.now(UTC)):
        raise UsageError(
            f"invite #{invite_id} is not open (used, expired or withdrawn); see: officer invites"
        )
    print(f"invite #{invite_id} withdrawn")


def _citizen_job(settings: Settings, args: argparse.Namespace) -> Job:
    user_id = _user_id(args.user_id)
    banned = args.citizen_command == "ban"
    if banned and user_id in settings.admin_user_ids:
        raise UsageError(f"{user_id} is an admin (ADMIN_USER_IDS): an admin cannot be banned")
    return lambda store: _ban(store, user_id, banned)


async def _ban(store: Store, user_id: int, banned: bool) -> None:
    changed = await store.citizens.set_banned(user_id, banned=banned)
    word = "banned" if banned else "unbanned"
    print(f"{user_id} {word}" if changed else f"{user_id} was already {word}: nothing changed")
