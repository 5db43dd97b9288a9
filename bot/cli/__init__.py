"""``python -m bot`` and its subcommands (the console script ``wargalapor`` is the same).

- :mod:`~bot.cli.main` — run, migrate, check, and the dispatch to the others;
- :mod:`~bot.cli.backup` — ``backup PATH``, a consistent copy of the database beside the bot;
- :mod:`~bot.cli.case` — ``case show|list|update`` for agency staff at a terminal, with
  :mod:`~bot.cli.case_args` (its arguments, checked first), :mod:`~bot.cli.case_read` (``show``
  and ``list``) and :mod:`~bot.cli.case_update` (``update``);
- :mod:`~bot.cli.apikey` — ``apikey create|list|revoke``;
- :mod:`~bot.cli.officer` — ``officer list|remove|invites|revoke-invite`` and
  ``citizen ban|unban``;
- :mod:`~bot.cli.usage` — what they share: exit codes, one-line refusals, how a scope is written.

Each is safe beside the running bot: it opens the same database and changes cases only through
the same services.
"""

from bot.cli.main import main

__all__ = ["main"]
