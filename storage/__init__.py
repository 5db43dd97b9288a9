"""SQLite storage: the connection, migrations and one repository module per aggregate.

Nothing here imports ``telegram``: the same repositories serve the bot, the CLI and (later) HTTP.
"""
