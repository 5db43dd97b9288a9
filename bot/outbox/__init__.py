"""Everything the bot sends on its own: alert cards, follow-ups, reminders, broadcasts.

Rows are written to the ``outbox`` table in the transaction of the change that causes them
(:mod:`storage.outbox`); this package turns them into messages.

- :mod:`~bot.outbox.delivery` — the pump: claims rows, paces chats and broadcasts, and decides per
  error whether to retry, wait or give up;
- :mod:`~bot.outbox.renderers` — alert cards and follow-ups rendered from a report's current state.
"""
