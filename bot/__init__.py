"""WargaLapor: process start, settings, i18n, logs and the clock, and these packages:

- :mod:`bot.domain` — Telegram-free use cases (cases, reporting, broadcasts, sweeps, stats, …);
- :mod:`bot.geo` — areas, the area directory, geocoding, place names;
- :mod:`bot.outbox` — delivering what the bot sends on its own, and rendering it;
- :mod:`bot.telegram` — the python-telegram-bot application and what wraps every update;
- :mod:`bot.http` — the Starlette app: health, metrics, Open311, agency updates, staff pages;
- :mod:`bot.cli` — the ``python -m bot`` subcommands.

Top-level modules here: :mod:`bot.config` (settings) with :mod:`bot.settings_parsing` (how one
variable is read), :mod:`bot.services` (the long-lived objects built once at start-up),
:mod:`bot.i18n`, :mod:`bot.logs` with :mod:`bot.redaction` and :mod:`bot.phones` (what never
reaches a log), :mod:`bot.clock`, :mod:`bot.ids`, :mod:`bot.images` (which image a file is).
"""
