"""The HTTP side of the bot: one Starlette app served by uvicorn in the bot's own event loop.

- :mod:`bot.http.server` builds the app from :class:`bot.services.Services` and runs it;
- :mod:`bot.http.health` — ``/healthz`` and ``/metrics`` for operators;
- :mod:`bot.http.open311` — Open311 GeoReport v2 at ``/open311/v2`` (reads public, POST keyed);
- :mod:`bot.http.updates` — ``/api/v1/requests/{id}/updates``, agencies changing cases;
- :mod:`bot.http.apikeys` — who is calling (API keys, area scopes);
- :mod:`bot.http.common` — the GeoReport error format and request bodies, shared by the above.

Like the Telegram handlers, these modules only parse, call a service and render: a status still
changes only through :meth:`bot.domain.cases.CasesService.change_status`.
"""
