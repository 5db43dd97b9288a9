"""The use cases, free of Telegram: what the bot, the HTTP API and the CLI all ask for.

- :mod:`~bot.domain.cases` — the one way a report's status changes (``change_status``), notes,
  moves, follows; statuses and their transitions live here today;
- :mod:`~bot.domain.reporting` — the citizen's report draft as a state machine, and its submission;
- :mod:`~bot.domain.intake` — reports filed by agency systems over the API;
- :mod:`~bot.domain.alerts` — where a new report's alert goes (the outbox rows that carry it);
- :mod:`~bot.domain.broadcasts` — announcements: audiences, feeding the outbox chunk by chunk;
- :mod:`~bot.domain.sweeps` — the scheduler's sweeps (SLA, survey, auto-close) and
  :mod:`~bot.domain.retention` — how long each kind of row is kept;
- :mod:`~bot.domain.stats` — statistics and their chart; :mod:`~bot.domain.permissions` — who may
  act on a report; :mod:`~bot.domain.officers` — taking an officer off an area;
- :mod:`~bot.domain.categories` — the bundled category list;
- :mod:`~bot.domain.citizens` — registering a citizen, their language, their announcements;
- :mod:`~bot.domain.group_links` — which areas a group chat receives;
- :mod:`~bot.domain.questions` — the bot's open questions to officers (reject reason, original);
- :mod:`~bot.domain.surveys` — the reporter's "is it fixed?", stars, and the reopened note.

Dependencies point down: handlers and the adapters (:mod:`bot.telegram`, :mod:`bot.http`,
:mod:`bot.cli`) call these; these call :mod:`storage`.
"""
