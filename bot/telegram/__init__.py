"""The Telegram adapter: python-telegram-bot's ``Application`` and what wraps every update.

- :mod:`~bot.telegram.application` — ``build_application``: builder options, every handler
  registered in one ordered place, start-up and shutdown;
- :mod:`~bot.telegram.callbacks` — every inline button's data: one object per kind builds it,
  gives its handler the pattern and parses a press (old formats too, for buttons still in chats);
- :mod:`~bot.telegram.context` — the typed ``CallbackContext`` handlers receive;
- :mod:`~bot.telegram.inbox` (with :mod:`~bot.telegram.inbox_privacy`) — every update on disk
  before Telegram hears it arrived, replayed after a crash, kept without personal fields;
- :mod:`~bot.telegram.update_processor` — chats side by side, each chat in order;
- :mod:`~bot.telegram.throttle` — how many updates one person may send a minute;
- :mod:`~bot.telegram.rate_limiter` — Telegram's flood limits on every Bot API call;
- :mod:`~bot.telegram.chat_admins` — who administers a group, asked and cached;
- :mod:`~bot.telegram.broadcast_progress` — the admin's broadcast progress message, posted and
  edited;
- :mod:`~bot.telegram.message_length` — messages built from people's words fit Telegram's limits;
- :mod:`~bot.telegram.webhook_runner` — running on a webhook instead of long polling.

The handlers themselves (parse an update, call a service, render from the catalogs) live in the
top-level :mod:`handlers` package: :mod:`handlers.report` (the citizen's report, by step),
:mod:`handlers.groups` (kelurahan groups, by job), :mod:`handlers.private_text` (the routes a
private message takes before the report's last one), :mod:`handlers.messages` (a message's photo
or location; retiring a pressed message's buttons), :mod:`handlers.people` (registration, language)
and one module per other feature.
"""
