"""``python -m bot apikey create|list|revoke``: API keys for agency systems.

Why keys are printed once: only their SHA-256 is stored (:mod:`storage.apikeys`), so a lost key
is revoked and replaced, never recovered. ``--areas`` scopes a key to kelurahan: BPS codes, or
kelurahan, kecamatan or kota names (a kecamatan or kota stands for all its kelurahan); a name that
is both a kelurahan and a kecamatan must be made precise (``kel. Gambir`` / ``kec. Gambir``),
because a scope that is wider than meant is a security problem. Without ``--areas`` a key may act
anywhere, outside the service area included. ``--agency NAME`` ties the key to an agency
(``python -m bot agency``): it reads and updates that agency's reports only, whatever their area
(bot/domain/agencies.py decides which), so it takes no ``--areas``.

Safe while the bot runs (same database, separate process); bad arguments end with one line on
stderr and exit code 2, like ``case``.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.usage import UsageError, exit_code, one_scope
from bot.config import Settings
from bot.geo.areas import AreaIndex
from bot.geo.directory import AreaDirectory, codes_in
from bot.redaction import remember
from storage.agencies import Agency
from storage.apikeys import ApiKeyRepository, NameTaken
from storage.store import Store

MAX_NAME = 64  # shown on alert cards and follow-ups as who made a change


def add_apikey_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("apikey", help="create, list and revoke API keys (agencies)")
    actions = parser.add_subparsers(dest="apikey_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="a new key, printed once")
    create.add_argument("--name", required=True, help='who holds it, e.g. "Dinas SDA"')
    scope = create.add_mutually_exclusive_group()
    scope.add_argument(
        "--areas", help="comma-separated kelurahan codes or area names (default: everywhere)"
    )
    scope.add_argument("--agency", help="the agency whose reports the key reads and updates")
    actions.add_parser("list", help="every key: name, scope, created, revoked")
    revoke = actions.add_parser("revoke", help="revoke the active key of that name")
    revoke.add_argument("name")


def run_apikey(settings: Settings, args: argparse.Namespace) -> int:
    def work() -> int:
        if args.apikey_command == "create" and not args.name.strip():
            raise UsageError("--name is empty: name who holds the key, e.g. --name 'Dinas SDA'")
        return asyncio.run(_run(settings, args))

    return exit_code(f"apikey {args.apikey_command}", settings.areas_file, work)


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    store = await Store.open(settings.database)
    try:
        keys = store.api_keys
        if args.apikey_command == "create":
            agency = await _agency(store, args.agency)
            await _create(settings, keys, args.name.strip(), args.areas, agency)
        elif args.apikey_command == "list":
            await _list(store)
        else:
            if not await keys.revoke(args.name.strip()):
                raise UsageError(f"no active key named {args.name!r}; see: apikey list")
            print(f"revoked the key of {args.name.strip()}")
    finally:
        await store.close()
    return 0


def area_codes(directory: AreaDirectory, text: str) -> list[str]:
    """Kelurahan codes for a comma-separated list of codes and names; refuses ambiguity."""
    codes: set[str] = set()
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        scope = one_scope(directory, part, "--areas")
        codes.update(codes_in(directory.areas.areas, [scope]))
    if not codes:
        raise UsageError("--areas is empty: list kelurahan codes or names, or leave it out")
    return sorted(codes)


async def _agency(store: Store, name: str | None) -> Agency | None:
    """The agency ``--agency`` names (case and spaces aside, as ``agency`` compares them)."""
    if name is None:
        return None
    agency = await store.agencies.by_name(name)
    if agency is None:
        known = ", ".join(a.name for a in await store.agencies.all()) or "none yet"
        raise UsageError(f"no agency named {name.strip()!r}; agencies: {known}")
    return agency


async def _create(
    settings: Settings,
    keys: ApiKeyRepository,
    name: str,
    areas: str | None,
    agency: Agency | None = None,
) -> None:
    if len(name) > MAX_NAME:
        raise UsageError(f"--name is {len(name)} characters long; at most {MAX_NAME}")
    codes = None
    if areas is not None:
        codes = area_codes(AreaDirectory(AreaIndex.load(settings.areas_file)), areas)
    try:
        key, secret = await keys.create(name, codes, agency.id if agency else None)
        remember(secret)  # this process's logs; the bot's own catch it by its wl_ shape
    except NameTaken:
        raise UsageError(
            f"an active key is already named {name!r}: revoke it first, or choose another name"
        ) from None
    print(f"API key for {key.name} (shown once; only its hash is stored):")
    print(secret)
    print(f"scope: {_scope(key.areas, agency.name if agency else None)}")


async def _list(store: Store) -> None:
    found = await store.api_keys.all()
    agencies = await store.agencies.names(sorted({k.agency_id for k in found if k.agency_id}))
    if not found:
        print("no API keys; create one with: python -m bot apikey create --name NAME")
        return
    for key in found:
        state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        scope = _scope(key.areas, agencies.get(key.agency_id or 0))
        print(f"{key.name:<24} {state:<34} created {key.created_at}  scope: {scope}")


def _scope(areas: tuple[str, ...] | None, agency: str | None = None) -> str:
    if agency is not None:
        return f"the reports of {agency}"
    if areas is None:
        return "everywhere"
    shown = ", ".join(areas[:5]) + (f" … ({len(areas)} kelurahan)" if len(areas) > 5 else "")
    return shown
