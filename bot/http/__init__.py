"""The HTTP side of the bot: one Starlette app served by uvicorn in the bot's own event loop.

The server and what guards every route:

- :mod:`bot.http.server` builds the app from :class:`bot.services.Services` and runs it;
- :mod:`bot.http.protocol` — uvicorn's HTTP/1.1 protocol with the guards a public port needs
  (idle and slow request heads);
- :mod:`bot.http.body` — request bodies read in chunks, up to a size and a deadline;
- :mod:`bot.http.errors` — the one error the routes raise, in the GeoReport v2 shape (XML for
  an Open311 ``.xml`` path, JSON elsewhere);
- :mod:`bot.http.catchall` — an exception no route expected still answers in that shape;
- :mod:`bot.http.throttle` — a token bucket per client address for the public reads.

For operators and Telegram:

- :mod:`bot.http.health` — ``/healthz`` and ``/metrics``;
- :mod:`bot.http.metrics` — the snapshot those two read, refreshed at most every few seconds;
- :mod:`bot.http.webhook` — ``POST /telegram``, Telegram's updates when ``WEBHOOK_URL`` is set.

For agencies:

- :mod:`bot.http.open311` — Open311 GeoReport v2 at ``/open311/v2`` (reads public, POST keyed),
  its routes assembled; one job per module: ``open311_format`` (XML and JSON),
  ``open311_common`` (format, jurisdiction, reader, key), ``open311_params`` (list filters),
  ``open311_forms`` (the POST form), ``open311_discovery``, ``open311_services``,
  ``open311_requests``, ``open311_updates`` (mySociety's servicerequestupdates),
  ``open311_media`` (photos without their metadata);
- :mod:`bot.http.public_view` — what a caller without a key sees of a report;
- :mod:`bot.http.updates` — ``/api/v1/requests/{id}/updates``, agencies changing cases, and
  :mod:`bot.http.agency_updates`, the fields and the change both update routes share;
- :mod:`bot.http.apikeys` — who is calling (API keys, area scopes);
- :mod:`bot.http.common` — the GeoReport error format and request bodies, shared by the above.

For staff, ``/staff`` (assembled by :mod:`bot.http.staff`, one job per module):

- :mod:`bot.http.staff_signin` — the one-time ``/weblogin`` link, the session cookie, logout;
- :mod:`bot.http.staff_access` — which reports a signed-in person may see and move;
- :mod:`bot.http.staff_pages` — the list, one report, the status form;
- :mod:`bot.http.staff_exports` — the list as CSV and GeoJSON;
- :mod:`bot.http.staff_photos` — report photos from Telegram, cached in memory;
- :mod:`bot.http.staff_views` — the pages' HTML; :mod:`bot.http.templates` — its escaped parts;
- :mod:`bot.http.staff_guard` — refusals as pages, security headers (CSP), the CSRF check;
- ``static/`` — Leaflet (vendored), the pages' script and stylesheet, at ``/staff/static``.

Like the Telegram handlers, these modules only parse, call a service and render: a status still
changes only through :meth:`bot.domain.cases.CasesService.change_status`.
"""
