"""The use cases, free of Telegram: what the bot, the HTTP API and the CLI all ask for.

- :mod:`~bot.domain.statuses` — the statuses, their transitions, who may make which move
  (``moves``) and the named sets (open, waiting, rateable, Open311's open/closed…) that storage
  receives as parameters;
- :mod:`~bot.domain.cases` — the one way a report's status changes (``change_status``), notes,
  moves, follows;
- :mod:`~bot.domain.reporting` — the citizen's report draft as a state machine, and its submission;
- :mod:`~bot.domain.intake` — reports filed by agency systems over the API;
- :mod:`~bot.domain.alerts` — where a new report's alert goes (the outbox rows that carry it);
- :mod:`~bot.domain.broadcasts` — announcements: audiences, feeding the outbox chunk by chunk,
  the progress message (shown through a board the Telegram side provides), cancelling;
- :mod:`~bot.domain.compose` — an admin's broadcast draft as a state machine, and its creation;
- :mod:`~bot.domain.sweeps` — the scheduler's sweeps (SLA, survey, auto-close) and
  :mod:`~bot.domain.retention` — how long each kind of row is kept;
- :mod:`~bot.domain.stats` — statistics and their chart; :mod:`~bot.domain.permissions` — who is
  an admin and who may act on a report (group admins asked through a callable);
- :mod:`~bot.domain.officers` — officer invites and taking an officer off an area;
  :mod:`~bot.domain.staff_login` — who may sign in to the staff pages, and the sign-in link;
- :mod:`~bot.domain.citizens` — registering a citizen, their language, their announcements, a
  ban;
- :mod:`~bot.domain.categories` — the bundled category list;
- :mod:`~bot.domain.group_links` — which areas a group chat receives;
- :mod:`~bot.domain.questions` — the bot's open questions to officers (reject reason, original);
- :mod:`~bot.domain.surveys` — the reporter's "is it fixed?", stars, and the reopened note.

Dependencies point down: handlers and the adapters (:mod:`bot.telegram`, :mod:`bot.http`,
:mod:`bot.cli`) call these; these call :mod:`storage`, and never import Telegram
(tests/test_layers.py). The services handlers use are built in :mod:`bot.services`.
"""
