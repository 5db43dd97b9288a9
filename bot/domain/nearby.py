"""Open reports near a draft's point: the candidates for "same problem — follow it".

Why a step of its own: a second report of the same flood tells the officers nothing new, while a
follower counts as support (``reports.supporters``) and hears every change. The search is an
R*Tree box query (storage/reports.py ``nearby_candidates``) refined by geodesic distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geopy.distance import distance

from bot.domain import privacy, statuses
from storage.drafts import Draft
from storage.reports import Report
from storage.store import Store

NEARBY_RADIUS_M = 250
NEARBY_SHOWN = 3
METERS_PER_DEGREE = 111_320


@dataclass(frozen=True)
class Nearby:
    report: Report
    meters: int


async def nearby_reports(store: Store, draft: Draft) -> list[Nearby]:
    """Open reports of the draft's category within 250 m, nearest first, the citizen's own
    excluded."""
    if draft.lat is None or draft.lon is None or draft.category_key is None:
        return []
    lat, lon = draft.lat, draft.lon
    dlat = NEARBY_RADIUS_M / METERS_PER_DEGREE
    dlon = NEARBY_RADIUS_M / (METERS_PER_DEGREE * max(0.01, math.cos(math.radians(lat))))
    candidates = await store.reports.nearby_candidates(
        min_lat=lat - dlat,
        max_lat=lat + dlat,
        min_lon=lon - dlon,
        max_lon=lon + dlon,
        category_key=draft.category_key,
        statuses=statuses.OPEN,
    )
    found = []
    for report in candidates:
        if report.citizen_id == draft.user_id or not privacy.published(report.visibility):
            continue  # a confidential report is not told to the neighbours
        meters = distance((lat, lon), (report.lat, report.lon)).meters
        if meters <= NEARBY_RADIUS_M:
            found.append(Nearby(report, round(meters)))
    found.sort(key=lambda item: item.meters)
    return found[:NEARBY_SHOWN]
