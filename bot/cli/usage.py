"""What every CLI command shares: its exit codes, its one-line refusals, how it writes a scope.

Why one place: a script tells "you asked for something impossible" (exit 2, one line on stderr)
from "it broke" (exit 1) the same way whichever command it ran, and an operator types back a
scope (``kel. Gambir``) in the words the commands print.
"""

from __future__ import annotations

EXIT_USAGE = 2
EXIT_FAILED = 1

#: How a scope's kind is written before its name, as the area lookups accept it back.
SCOPE_PREFIX = {"kelurahan": "kel.", "kecamatan": "kec.", "kota": "kota"}


class UsageError(Exception):
    """A bad argument; the message is the one line the operator reads."""
