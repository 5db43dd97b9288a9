"""Kelurahan group chats, one module per job.

- :mod:`~handlers.groups.links` — /link, /unlink and /area: the areas a group receives;
- :mod:`~handlers.groups.alerts` — the status buttons on alert cards, and the questions Resolve,
  Reject and Duplicate ask first;
- :mod:`~handlers.groups.cards` — a stale card brought up to date where it was pressed;
- :mod:`~handlers.groups.questions` — the questions' buttons: cancel, no photo, the duplicate's
  confirmation;
- :mod:`~handlers.groups.replies` — officers' messages: replies to questions or cards, and answers
  posted without replying;
- :mod:`~handlers.groups.answers` — what an answer does (reject, resolve, propose a duplicate);
- :mod:`~handlers.groups.moves` — /move, handing a report to another kelurahan;
- :mod:`~handlers.groups.guide` — /help in a group;
- :mod:`~handlers.groups.acting` — who acts (officer or admin) and report numbers as typed.
"""
