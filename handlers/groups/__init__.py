"""Kelurahan group chats, one module per job.

- :mod:`~handlers.groups.links` — /link, /unlink and /area: the areas a group receives;
- :mod:`~handlers.groups.alerts` — the status buttons on alert cards;
- :mod:`~handlers.groups.replies` — officers' replies: reject reasons, duplicate numbers, notes
  and "after" photos;
- :mod:`~handlers.groups.moves` — /move, handing a report to another kelurahan;
- :mod:`~handlers.groups.acting` — who acts (officer or admin) and report numbers as typed.
"""
