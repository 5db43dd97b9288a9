"""``python -m bot`` and its subcommands (the console script ``wargalapor`` is the same).

- :mod:`~bot.cli.main` — run, migrate, check, and the dispatch to the others;
- :mod:`~bot.cli.case` — ``case show|list|update`` for agency staff at a terminal;
- :mod:`~bot.cli.apikey` — ``apikey create|list|revoke``;
- :mod:`~bot.cli.officer` — ``officer list|remove|invites|revoke-invite`` and
  ``citizen ban|unban``.

Each is safe beside the running bot: it opens the same database and changes cases only through
the same services.
"""

from bot.cli.main import main

__all__ = ["main"]
