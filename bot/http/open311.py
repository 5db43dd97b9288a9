"""Open311 GeoReport v2 at ``/open311/v2``: categories as services, reports as service requests,
in XML and JSON, with Service Discovery and mySociety's servicerequestupdates extension.

Every resource comes in both formats by its extension, ``.xml`` (``text/xml; charset=utf-8``,
with the XML declaration) and ``.json`` (``application/json; charset=utf-8``); another
extension is a 404. Errors are the specification's: 404 for a missing resource (and for a
``jurisdiction_id`` that is not ours, ``OPEN311_JURISDICTION_ID``; it may be left out), 403 for
a missing or bad key, 400 otherwise, with ``[{"code", "description"}]`` or
``<errors><error><code/><description/></error></errors>`` (:mod:`bot.http.errors`).

Resources (``{fmt}`` is ``xml`` or ``json``), each in its module:

- ``GET discovery.{fmt}`` — :mod:`bot.http.open311_discovery`;
- ``GET services.{fmt}``, ``GET services/{code}.{fmt}`` — :mod:`bot.http.open311_services`;
- ``GET requests.{fmt}`` (filters: :mod:`bot.http.open311_params`), ``GET requests/{id}.{fmt}``,
  ``POST requests.{fmt}`` (key needed; the form: :mod:`bot.http.open311_forms`) and
  ``GET tokens/{token}.{fmt}`` (always 404: requests are created at once) —
  :mod:`bot.http.open311_requests`;
- ``GET`` and ``POST servicerequestupdates.{fmt}`` (mySociety's extension; the POST needs a
  key) — :mod:`bot.http.open311_updates`;
- ``GET media/{photo_id}.jpg`` (what ``media_url`` points at) — :mod:`bot.http.open311_media`.

Reads take an optional key (``X-API-Key`` header): without one, points are rounded and sensitive
categories left out (:mod:`bot.http.public_view`), and each client address may make
``OPEN311_PUBLIC_RATE_PER_MINUTE`` reads of requests, updates and photos a minute (429 with
``Retry-After`` past that); key holders are not limited. The rendering of both formats is
:mod:`bot.http.open311_format`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from telegram import Bot

from bot.http.open311_common import BASE_PATH, Open311Kit
from bot.http.open311_discovery import DiscoveryRoute
from bot.http.open311_media import MediaRoute
from bot.http.open311_requests import RequestRenderer, RequestRoutes
from bot.http.open311_services import ServiceRoutes
from bot.http.open311_updates import UpdateRoutes
from bot.services import Services


class Open311Api:
    def __init__(self, services: Services, bot: Bot | None = None) -> None:
        """``bot``: the running application's, for photos (without it they answer 502)."""
        self.kit = Open311Kit(services)
        self.renderer = RequestRenderer(self.kit)
        self.discovery = DiscoveryRoute(self.kit)
        self.catalogue = ServiceRoutes(self.kit)
        self.requests = RequestRoutes(self.kit, self.renderer)
        self.updates = UpdateRoutes(self.kit)
        self.media = MediaRoute(self.kit, bot)

    def routes(self) -> list[BaseRoute]:
        return [
            Mount(
                BASE_PATH,
                routes=[
                    Route("/discovery.{fmt}", self.discovery.discovery, methods=["GET"]),
                    Route("/services.{fmt}", self.catalogue.list_services, methods=["GET"]),
                    Route(
                        "/services/{service_code}.{fmt}", self.catalogue.definition, methods=["GET"]
                    ),
                    Route("/requests.{fmt}", self.requests.requests, methods=["GET", "POST"]),
                    Route("/requests/{request_id}.{fmt}", self.requests.one, methods=["GET"]),
                    Route("/tokens/{token}.{fmt}", self.requests.token, methods=["GET"]),
                    Route(
                        "/servicerequestupdates.{fmt}",
                        self.updates.updates,
                        methods=["GET", "POST"],
                    ),
                    Route("/media/{photo_id}.jpg", self.media.photo, methods=["GET"]),
                ],
            )
        ]
