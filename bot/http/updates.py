"""``POST /api/v1/requests/{id}/updates``: an agency's system changes a case (an extension to
GeoReport v2, which has no write access to requests after creation).

The fields and what they do are :mod:`bot.http.agency_updates`' (ours, and mySociety's
servicerequestupdates shape: ``status=FIXED``, ``description``, ``media_url``…). The key goes in
the ``X-API-Key`` header or the ``api_key`` field; a missing, unknown or revoked one is 401 here
(the Open311 routes answer 403, as GeoReport v2 says). Answers 200 with ``{"service_request_id",
"status", "detailed_status", "status_notes", "updated_datetime", "changed"}``; 409 when the
status cannot follow the current one, 403 for a key scoped elsewhere (or an agency's key on a
report its agency does not handle), 404 for an unknown request — and for a confidential one the
key is not responsible for, with the same body (:func:`bot.http.apikeys.report_to_update`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.domain.cases import Outcome
from bot.http.agency_updates import apply_update, read_update
from bot.http.apikeys import report_to_update, require_key
from bot.http.common import read_body
from bot.http.open311_requests import RequestRenderer
from bot.services import Services


class UpdatesApi:
    def __init__(self, services: Services, renderer: RequestRenderer) -> None:
        self.services = services
        self.renderer = renderer
        self.keys = services.store.api_keys

    def routes(self) -> list[BaseRoute]:
        return [Route("/api/v1/requests/{request_id}/updates", self.update, methods=["POST"])]

    async def update(self, request: Request) -> Response:
        body = await read_body(request)
        key = await require_key(self.keys, request, body)
        report = await report_to_update(self.services, key, request.path_params["request_id"])
        result, current = await apply_update(self.services, key, report, read_update(body))
        rendered = (await self.renderer.render([current]))[0]
        return JSONResponse(
            {
                "service_request_id": rendered["service_request_id"],
                "status": rendered["status"],
                "detailed_status": current.status,
                "status_notes": rendered["status_notes"],
                "updated_datetime": rendered["updated_datetime"],
                "changed": result.outcome is Outcome.CHANGED,
            }
        )
