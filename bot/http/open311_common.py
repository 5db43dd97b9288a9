"""What every Open311 route shares: the format of the answer, the jurisdiction, who reads (and
how fast an anonymous client may), the API key of a write, and times in the W3C form.

Why one object handed to each route module: the token buckets of the public reads must be one
set for all read routes (else each route would grant its own minute's worth), and the rules for
``jurisdiction_id`` and keys must be the same on every resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from starlette.requests import Request

from bot.http.apikeys import agency_of, require_key
from bot.http.errors import ApiError
from bot.http.open311_format import FORMATS
from bot.http.public_view import Viewer, optional_key
from bot.http.throttle import TokenBuckets, client_address, retry_after
from bot.services import Services
from storage.apikeys import ApiKey

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
BASE_PATH = "/open311/v2"


class Open311Kit:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.keys = services.store.api_keys
        self.buckets = TokenBuckets(services.settings.open311_public_rate_per_minute)

    @staticmethod
    def fmt(request: Request) -> str:
        """The answer's format, from the resource's extension: ``xml`` or ``json``."""
        raw = str(request.path_params.get("fmt", ""))
        if raw not in FORMATS:
            raise ApiError(404, f"no format .{raw[:20]}: ask for .xml or .json")
        return raw

    def check_jurisdiction(self, request: Request, body: Mapping[str, str] | None = None) -> None:
        """``jurisdiction_id`` may be left out (this endpoint serves one); another than ours is
        a resource that is not here: 404, as the specification's servers answer."""
        sent = (body or {}).get("jurisdiction_id") or request.query_params.get("jurisdiction_id")
        ours = self.settings.open311.jurisdiction_id
        if sent is not None and sent.strip() and sent.strip() != ours:
            raise ApiError(404, f"jurisdiction_id {sent.strip()[:100]!r} is not served here")

    async def viewer(self, request: Request, *, key_in_query: bool = False) -> Viewer:
        """Who reads; an anonymous client over its rate gets 429 with ``Retry-After``."""
        key = await optional_key(self.keys, request, query_allowed=key_in_query)
        agency = await agency_of(self.services, key) if key is not None else None
        viewer = Viewer.of(key, self.services.categories, agency, self.services.areas.by_code)
        if viewer.anonymous:
            client = client_address(request, self.settings.trusted_proxies)
            wait = self.buckets.take(client)
            if wait is not None:
                raise ApiError(
                    429,
                    "too many requests; retry later or use an api_key",
                    headers={"Retry-After": retry_after(wait)},
                )
        return viewer

    async def writer(self, request: Request, body: Mapping[str, str]) -> ApiKey:
        """The key a write must carry (body or header): 403 when missing or not valid."""
        return await require_key(self.keys, request, body, refusal=403)

    def time(self, iso: str) -> str:
        """A stored moment as W3C text in ``TIMEZONE``, to the second with its offset."""
        moment = datetime.fromisoformat(iso).astimezone(self.settings.tz)
        return moment.isoformat(timespec="seconds")

    def public_url(self, path: str) -> str | None:
        """``WEB_BASE_URL`` + ``path``; None without it (a link to 127.0.0.1 helps no one)."""
        base = self.settings.web_base_url
        return f"{base}{path}" if base else None
