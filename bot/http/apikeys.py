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
gets 403 for a report its agency does not handle, and any key a 404 for a confidential report
it does not reach, as for one that does not exist (:func:`report_to_update`). Reads need no key:
Open311 reads are public, and they never show the citizen.

Keys are created, listed and revoked with ``python -m bot apikey`` (:mod:`bot.cli.apikey`).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

from bot.domain.agencies import key_agency, key_knows, key_reaches
from bot.http.errors import ApiError
from bot.ids import parse_id
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


def missing(raw: str) -> ApiError:
    """The one answer for a request that is not there (or, to a key, not there for it)."""
    return ApiError(404, f"no service request {raw.strip()[:20]}")


async def report_to_update(services: Services, key: ApiKey, raw: str) -> Report:
    """The report an update names (``raw``: the number as sent), once ``key`` may update it:
    in its areas, or its agency's report. 404 for no such report, and for a confidential one
    the key does not reach, with the same body (:func:`bot.domain.agencies.key_knows`); 403
    for a published one it does not reach."""
    await agency_of(services, key)
    number = parse_id(raw.strip().lstrip("#"))
    report = await services.store.reports.get(number) if number is not None else None
    if report is None:
        raise missing(raw)
    by_code = services.areas.by_code
    if await key_reaches(services.store, by_code, key, report):
        return report
    if not await key_knows(services.store, by_code, key, report):
        raise missing(raw)
    if key.agency_id is not None:
        raise ApiError(403, f"request {report.id} is not handled by this api_key's agency")
    raise ApiError(403, "this api_key may not act outside its areas")
