"""SQLite storage: the connection, migrations and one repository module per aggregate.

Nothing here imports ``telegram`` or ``bot``: the same repositories serve the bot, the CLI and
HTTP. The rules about statuses belong to :mod:`bot.domain.statuses`; a query that filters on
them receives the set as a parameter (``statuses=``, ``waiting=``, ``resolved=``…), and no status
is written here except in the migrations (a new report's default status). Storage's own states
(the outbox's ``pending``/``sending``) are its own. Each row type has one mapper (``from_row``
or a module's ``_row``-style function) used by every query that returns it.
"""
