"""Who is calling: the API key of a write request, and the areas it may act in.

A key may come as the ``api_key`` field (GeoReport v2 puts it in the POST body), the ``api_key``
query parameter, or an ``X-API-Key`` header. Missing, unknown and revoked keys get 401; a key
scoped to some kelurahan gets 403 for a report (or a location) outside them. Reads need no key:
Open311 reads are public, and they never show the citizen.

Keys are created, listed and revoked with ``python -m bot apikey`` (:mod:`bot.apikey_cli`).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

from bot.http.common import ApiError
from storage.apikeys import ApiKey, ApiKeyRepository


async def require_key(keys: ApiKeyRepository, request: Request, body: Mapping[str, str]) -> ApiKey:
    presented = (
        body.get("api_key")
        or request.query_params.get("api_key")
        or request.headers.get("x-api-key")
        or ""
    ).strip()
    if not presented:
        raise ApiError(401, "api_key is required")
    key = await keys.by_key(presented)
    if key is None:
        raise ApiError(401, "api_key is not valid")
    if not key.active:
        raise ApiError(401, "api_key has been revoked")
    return key


def require_scope(key: ApiKey, area_code: str | None) -> None:
    if not key.covers(area_code):
        raise ApiError(403, "this api_key may not act outside its areas")
