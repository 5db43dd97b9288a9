"""``GET /open311/v2/discovery.{fmt}``: Open311 Service Discovery, where a client (the SeeClickFix
validator, FixMyStreet's set-up) learns where the endpoint is, what it speaks, and whom to ask.

``changeset`` is when this endpoint's description last changed (:data:`CHANGESET`, moved on
when routes or formats change); ``contact`` and ``key_service`` come from ``OPEN311_CONTACT``
and ``OPEN311_KEY_SERVICE`` (defaults name the operators and the ``apikey`` command); the one
endpoint is GeoReport v2 at ``WEB_BASE_URL`` (else this server's own address), of
``OPEN311_ENDPOINT_TYPE`` (``production`` or ``test``), in XML and JSON.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.http.open311_common import BASE_PATH, SPECIFICATION, Open311Kit
from bot.http.open311_format import DISCOVERY, MEDIA_TYPES, render
from bot.http.staff_signin import web_base_url

CHANGESET = "2026-12-01T00:00:00Z"
DEFAULT_KEY_SERVICE = (
    "API keys are issued by this server's operators (python -m bot apikey create --name …);"
    " reads need none"
)


class DiscoveryRoute:
    def __init__(self, kit: Open311Kit) -> None:
        self.kit = kit

    async def discovery(self, request: Request) -> Response:
        fmt = self.kit.fmt(request)
        settings = self.kit.settings
        base = web_base_url(settings) or ""
        found = {
            "changeset": CHANGESET,
            "contact": settings.open311.contact
            or f"The operators of this WargaLapor server{f' ({base})' if base else ''}",
            "key_service": settings.open311.key_service or DEFAULT_KEY_SERVICE,
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": f"{base}{BASE_PATH}",
                    "changeset": CHANGESET,
                    "type": settings.open311.endpoint_type,
                    "formats": [kind.split(";")[0] for kind in MEDIA_TYPES.values()],
                }
            ],
        }
        return render(fmt, DISCOVERY, found)
