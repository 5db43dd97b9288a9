"""What every CLI command shares: its exit codes, its one-line refusals, how it reads and writes
a scope.

Why one place: a script tells "you asked for something impossible" (exit 2, one line on stderr)
from "it broke" (exit 1) the same way whichever command it ran, and an operator types back a
scope (``kel. Gambir``) in the words the commands print.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from bot.geo.areas import AreaFileError
from bot.geo.directory import AreaDirectory
from storage.groups import Scope

EXIT_USAGE = 2
EXIT_FAILED = 1

#: How a scope's kind is written before its name, as the area lookups accept it back.
SCOPE_PREFIX = {"kelurahan": "kel.", "kecamatan": "kec.", "kota": "kota"}


class UsageError(Exception):
    """A bad argument; the message is the one line the operator reads."""


def one_scope(directory: AreaDirectory, text: str, option: str) -> Scope:
    """The one scope ``text`` names; unknown (with suggestions) or ambiguous is a UsageError,
    because a scope wider than meant is a security problem."""
    choices = directory.resolve(text)
    if not choices:
        hints = ", ".join(choice.name for choice in directory.suggest(text))
        raise UsageError(
            f"{option}: unknown area {text!r}" + (f"; did you mean: {hints}?" if hints else "")
        )
    if len(choices) > 1:
        kinds = " or ".join(f"'{SCOPE_PREFIX[c.scope.kind]} {c.name}'" for c in choices)
        raise UsageError(f"{option}: {text!r} is ambiguous; write {kinds}")
    return choices[0].scope


def exit_code(command: str, areas_file: Path | None, work: Callable[[], int]) -> int:
    """``work``'s exit code, or the one line on stderr and the exit code for how it failed: a bad
    argument or area file is the operator's (2), a database or file error is ours (1)."""
    try:
        return work()
    except UsageError as error:
        print(f"wargalapor: {error}", file=sys.stderr)
        return EXIT_USAGE
    except AreaFileError as error:
        print(
            f"wargalapor: AREAS_FILE {areas_file or 'the bundled areas'}: {error}", file=sys.stderr
        )
        return EXIT_USAGE
    except (sqlite3.Error, OSError) as error:
        print(f"wargalapor: {command} failed: {error}", file=sys.stderr)
        return EXIT_FAILED


def require_database(target: str | Path) -> None:
    """Refuse a missing SQLite file before any work: opening it would create an empty one (a
    PostgreSQL database is created by its operator, and a wrong URL fails to connect)."""
    if isinstance(target, Path) and not target.is_file():
        path = target
        raise UsageError(f"database {path} does not exist: check DATABASE_PATH")
