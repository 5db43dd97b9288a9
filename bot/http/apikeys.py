"""Who is calling: the API key of a write request, and the areas it may act in.

A key comes in an ``X-API-Key`` header or as the ``api_key`` field of the body (GeoReport v2
puts it in the POST body). Not in the query string: URLs are written to the access logs of
every proxy on the way, so a key there has leaked; it is refused with a 400 saying where to put
it, rather than ignored (the client would not learn why it gets 401). The one place that rule
lives is :func:`require_key`'s ``query_allowed`` (a route that must accept it, e.g. for
FixMyStreet compatibility, passes True).

Missing keys get 401 "required"; unknown and revoked keys get the very same 401 "not valid", so
an answer never tells whether a guessed or leaked key was ever real. Open311 routes pass
``refusal=403``: GeoReport v2 answers a missing or bad key with 403. A key scoped to some
kelurahan gets 403 for a report (or a location) outside them; an agency's key (``--agency``)
gets 403 for a report its agency does not handle (:func:`require_reach`). Reads need no key:
Open311 reads are public, and they never show the citizen.

Keys are created, listed and revoked with ``python -m bot apikey`` (:mod:`bot.cli.apikey`).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

from bot.domain.agencies import key_agency, key_reaches
from bot.http.errors import ApiError
from bot.services import Services
from storage.agencies import Agency
from storage.apikeys import ApiKey, ApiKeyRepository
from storage.reports import Report

KEY_HEADER = "x-api-key"


async def require_key(
    keys: ApiKeyRepository,
    request: Request,
    body: Mapping[str, str],
    *,
    query_allowed: bool = False,
    refusal: int = 401,
) -> ApiKey:
    in_query = request.query_params.get("api_key")
    if in_query is not None and not query_allowed:
        raise ApiError(
            400,
            "api_key must not be in the URL (proxies log URLs): send it in the X-API-Key header"
            " or as the api_key field of the body, and replace this key, which has leaked",
        )
    presented = (body.get("api_key") or in_query or request.headers.get(KEY_HEADER) or "").strip()
    if not presented:
        raise ApiError(refusal, "api_key is required (X-API-Key header or api_key field)")
    key = await keys.by_key(presented)
    if key is None or not key.active:
        raise ApiError(refusal, "api_key is not valid")
    return key


def require_scope(key: ApiKey, area_code: str | None) -> None:
    if not key.covers(area_code):
        raise ApiError(403, "this api_key may not act outside its areas")


async def agency_of(services: Services, key: ApiKey) -> Agency | None:
    """The agency of an agency's key; a key whose agency is gone is refused (403), never read
    as a key for everywhere (removing an agency revokes its keys: this is the belt to that)."""
    if key.agency_id is None:
        return None
    agency = await key_agency(services.store, key)
    if agency is None:
        raise ApiError(403, "api_key is not valid")
    return agency


async def require_reach(services: Services, key: ApiKey, report: Report) -> None:
    """403 unless ``key`` may update ``report``: in its areas, or its agency's report."""
    await agency_of(services, key)
    if not await key_reaches(services.store, services.areas.by_code, key, report):
        if key.agency_id is not None:
            raise ApiError(403, f"request {report.id} is not handled by this api_key's agency")
        raise ApiError(403, "this api_key may not act outside its areas")
