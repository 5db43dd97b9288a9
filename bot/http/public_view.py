"""What a caller of the public Open311 reads sees of a report: the one owner of that rule.

Why not everything that is public: a request's point is where a citizen stood, often their
doorstep, and the API is open to anyone. So without a key a point is rounded to three decimals
(about 110 m, the size of a block), and reports of a category marked ``sensitive`` in
``bot/data/categories.toml`` (security and order: a reporter next door to what they report) are
not there at all, in lists, by id (the same 404 as a missing one) or in page counts. A holder of an
API key (``X-API-Key`` header, or ``api_key`` as a header; in the query string for the
servicerequestupdates extension only) works for the kelurahan of its scope: in
those it sees the exact point and the sensitive reports, with their address; elsewhere it sees
what everyone sees. An unscoped key covers everywhere.

An agency's key (``apikey create --agency``) reads its agency's reports and nothing else: they
are all it lists (requests and their updates), it sees them as a key for their area would, and
any other report by id is the same 404 as a missing one (:func:`bot.domain.agencies.handles`).

A report its citizen made confidential (bot/domain/privacy.py) is not read here at all, with a
key or without: the storage reads take only :data:`bot.domain.privacy.PUBLISHED` modes, so it is
the same 404 as a number never given. An anonymous report is read like any other; a request
carries no name of its reporter in any mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from bot.domain import agencies
from bot.geo.areas import Area
from bot.http.apikeys import require_key
from storage.agencies import Agency
from storage.apikeys import ApiKey, ApiKeyRepository
from storage.categories import Category
from storage.report_query import AgencyReach
from storage.reports import Report

PUBLIC_DECIMALS = 3  # 0.001° of latitude is 111 m; of longitude at Jakarta's 6° S, 110 m
KEY_HEADERS = ("x-api-key", "api_key")


async def optional_key(
    keys: ApiKeyRepository, request: Request, *, query_allowed: bool = False
) -> ApiKey | None:
    """The key a read presents in a header, or None. A key that is sent but unknown or revoked
    is refused (403, GeoReport v2's answer) rather than read as anonymous: the agency should
    learn its key is dead. From the query string only where ``query_allowed`` (the
    servicerequestupdates extension, whose FixMyStreet client sends it there, empty when it has
    none); elsewhere a key there is refused (400): URLs end up in proxy logs."""
    presented = next(
        (request.headers[name] for name in KEY_HEADERS if request.headers.get(name)), ""
    )
    in_query = request.query_params.get("api_key")
    if not presented.strip():
        if in_query is None or (query_allowed and not in_query.strip()):
            return None
        presented = in_query
    return await require_key(
        keys, request, {"api_key": presented}, query_allowed=query_allowed, refusal=403
    )


@dataclass(frozen=True)
class Viewer:
    """Who reads: ``key`` None for the public. ``sensitive``: the sensitive category keys.
    ``agency``: the agency of an agency's key (its reports only), with the areas by code."""

    key: ApiKey | None
    sensitive: frozenset[str]
    agency: Agency | None = None
    by_code: Mapping[str, Area] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        key: ApiKey | None,
        categories: dict[str, Category],
        agency: Agency | None = None,
        by_code: Mapping[str, Area] | None = None,
    ) -> Viewer:
        sensitive = frozenset(c.key for c in categories.values() if c.sensitive)
        return cls(key, sensitive, agency, by_code or {})

    @property
    def anonymous(self) -> bool:
        return self.key is None

    def _covers(self, report: Report) -> bool:
        if self.agency is not None:
            area = self.by_code.get(report.area_code or "")
            return agencies.handles(self.agency, report, area)
        return self.key is not None and self.key.covers(report.area_code)

    def restricted(self) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
        """``ReportQuery``'s ``restricted_categories`` and ``restricted_areas`` for this reader."""
        if self.key is not None and self.key.areas is None:
            return (), None  # an agency's key too: its reach (below) bounds what it lists
        areas = self.key.areas if self.key is not None else ()
        return tuple(sorted(self.sensitive)), areas

    def reach(self) -> tuple[AgencyReach, ...] | None:
        """An agency's key: the one agency whose reports it lists; None: no such bound."""
        if self.agency is None:
            return None
        return (agencies.reach(self.agency, self.by_code.values()),)

    def sees(self, report: Report) -> bool:
        if self.agency is not None:
            return self._covers(report)
        return report.category_key not in self.sensitive or self._covers(report)

    def shown(self, report: Report, fields: dict[str, Any]) -> dict[str, Any]:
        """``fields`` (a rendered request) as this reader may see them."""
        if self._covers(report):
            return fields
        return {
            **fields,
            "lat": round(report.lat, PUBLIC_DECIMALS),
            "long": round(report.lon, PUBLIC_DECIMALS),
            "address": None if report.category_key in self.sensitive else fields["address"],
        }
