"""Everything the bot sends on its own: alert cards, follow-ups, reminders, broadcasts.

Rows are written to the ``outbox`` table in the transaction of the change that causes them
(:mod:`storage.outbox`, which also names the kinds of row, :class:`storage.outbox.OutboxKind`);
this package turns them into messages.

- :mod:`~bot.outbox.delivery` — the pump: claims due rows, sends each chat's rows in order and
  records what happened;
- :mod:`~bot.outbox.pacing` — how fast: a citizen's bucket of messages, a broadcast's rate and
  how many sends are in flight;
- :mod:`~bot.outbox.policy` — what each failure means: retry, wait, park, unlink a group,
  follow a migrated one, mark a citizen blocked;
- :mod:`~bot.outbox.senders` — the table of senders, one per kind, checked complete at import;
- :mod:`~bot.outbox.sending` — what every sender is given, and the look-ups they share;
- :mod:`~bot.outbox.group_senders` — the alert card (on its first photo), its other photos, its
  refreshes (caption or text) and its retirement, SLA reminders
  and escalations, notices to the admins;
- :mod:`~bot.outbox.citizen_senders` — follow-ups (and photos from the CLI) and surveys;
- :mod:`~bot.outbox.broadcast_sender` — one broadcast row to one recipient;
- :mod:`~bot.outbox.renderers` — alert cards and follow-ups rendered from a report's current state;
- :mod:`~bot.outbox.followup_text` — a follow-up's words: who acted, what happens next, for the
  reporter or for a follower.
"""
