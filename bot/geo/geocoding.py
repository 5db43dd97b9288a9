"""Typed addresses to points, points to street addresses: offline by default, or Nominatim.

Why an offline geocoder at all: most citizens share a location pin, but some can only type where
they are, and the bundled kelurahan boundaries answer "Gambir" or "kelurahan pinangsia" without any
network. It is also what the Nominatim geocoder falls back to, so a slow or broken geocoding
service degrades the answer instead of failing the report.

This module holds what a geocoder is (:class:`Place`, :class:`Geocoder`), the offline one, and
:func:`build_geocoder`, which picks the one ``GEOCODER`` names; the Nominatim one is
:mod:`bot.geo.nominatim`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.geo.areas import Area, AreaIndex, Polygon
from storage.geocache import GeocodeCacheRepository

GEOCODER_KINDS = ("offline", "nominatim")


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    label: str  # what the citizen sees, e.g. "Jalan Medan Merdeka Barat, Gambir, Jakarta Pusat"
    address: str | None  # a street address when known
    #: The point stands for a whole area (a kelurahan, kecamatan or city named by its name),
    #: not for the spot: the citizen and the officers are told it is only approximate.
    approximate: bool = False


class Geocoder(Protocol):
    async def search(self, query: str) -> Place | None:
        """A typed address to a point, or None when nothing matches."""
        ...

    async def reverse(self, lat: float, lon: float) -> str | None:
        """A point to a street address, or None when none is known."""
        ...


# --- text --------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, accents and punctuation removed, whitespace collapsed: "Kel. Pínangsia" ->
    "kel pinangsia". Both the names and the queries go through it, so they compare as equals."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", bare).split())


def normalise_query(query: str) -> str:
    """The cache key of a typed query: lower-cased, whitespace collapsed."""
    return " ".join(query.lower().split())


KELURAHAN, KECAMATAN, CITY = "kelurahan", "kecamatan", "city"
_LEVELS = (KELURAHAN, KECAMATAN, CITY)

# Leading words people type before a name. The value is the level the word asks for (None: no
# level, like "jakarta" in "jakarta pusat" or "dki"). Stripped from names as well as queries, so
# "Kota Bambu Utara" (a kelurahan) still matches "kota bambu utara" and "kel. kota bambu utara".
_PREFIXES: dict[str, str | None] = {
    "kelurahan": KELURAHAN,
    "kel": KELURAHAN,
    "desa": KELURAHAN,
    "kecamatan": KECAMATAN,
    "kec": KECAMATAN,
    "kota": CITY,
    "kotamadya": CITY,
    "kabupaten": CITY,
    "kab": CITY,
    "administrasi": None,
    "adm": None,
    "provinsi": None,
    "dki": None,
    "jakarta": None,
}


def _strip_prefixes(folded: str) -> tuple[str, str | None]:
    """("kel kota bambu utara") -> ("bambu utara", "kelurahan"): the rest and the first level."""
    words = folded.split()
    level: str | None = None
    while words and words[0] in _PREFIXES:
        level = level or _PREFIXES[words[0]]
        words.pop(0)
    return " ".join(words), level


# --- a point inside a polygon ------------------------------------------------------------------

# Rows to scan, as fractions of a polygon's latitude range, in order of preference: the middle
# row first; the others only matter for shapes whose middle row misses them (rings, slivers).
_ROWS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9)


def _spans(polygon: Polygon, lat: float) -> list[tuple[float, float]]:
    """Inside stretches of one polygon along a latitude (the even-odd rule of ``bot.geo.areas``)."""
    crossings = []
    for ring in polygon:
        x1, y1 = ring[-1]
        for x2, y2 in ring:
            if (y1 > lat) != (y2 > lat):
                crossings.append((x2 - x1) * (lat - y1) / (y2 - y1) + x1)
            x1, y1 = x2, y2
    crossings.sort()
    return list(zip(crossings[0::2], crossings[1::2], strict=False))


def representative_point(areas: Iterable[Area]) -> tuple[float, float]:
    """A (lat, lon) guaranteed inside one of ``areas``: the middle of the widest inside span.

    Why not the centroid: a crescent- or L-shaped kelurahan has its centroid outside, and the
    point would then be routed to a neighbour. The widest span on a polygon's middle latitude row
    is well inside for ordinary shapes; each candidate is checked with ``Area.contains``.
    """
    candidates = [(area, polygon) for area in areas for polygon in area.polygons]
    for fraction in _ROWS:
        best: tuple[float, float, float] | None = None  # (width, lat, lon)
        for area, polygon in candidates:
            lats = [lat for _, lat in polygon[0]]
            row = min(lats) + fraction * (max(lats) - min(lats))
            for west, east in _spans(polygon, row):
                lon = (west + east) / 2
                if (best is None or east - west > best[0]) and area.contains(row, lon):
                    best = (east - west, row, lon)
        if best is not None:
            return best[1], best[2]
    raise ValueError("no point found inside the areas; are their polygons degenerate?")


# --- offline -----------------------------------------------------------------------------------


@dataclass(eq=False)
class _Target:
    """Something a name can match: a kelurahan, a kecamatan or a city, and its point once asked."""

    level: str
    label: str
    areas: tuple[Area, ...]
    point: tuple[float, float] | None = None


class OfflineGeocoder:
    """Kelurahan, kecamatan and city names from the bundled boundaries; no network at all.

    A query matches a kelurahan name first, then a kecamatan, then a city, unless its prefix asks
    for a level ("kec. gambir" is the kecamatan, "gambir" the kelurahan). Should two areas share a
    name (the bundled Jakarta data has no such kelurahan, kecamatan or city today), the one with
    the lowest code wins; the label names its kecamatan and city, so the citizen can tell.
    """

    def __init__(self, areas: AreaIndex) -> None:
        self.areas = areas
        self._names: dict[str, dict[str, _Target]] = {level: {} for level in _LEVELS}
        groups: dict[str, dict[str, list[Area]]] = {KECAMATAN: {}, CITY: {}}
        for area in sorted(areas.areas, key=lambda a: a.code):
            label = f"Kel. {area.name}, Kec. {area.district}, {area.city}"
            self._add(area.name, _Target(KELURAHAN, label, (area,)))
            groups[KECAMATAN].setdefault(f"Kec. {area.district}, {area.city}", []).append(area)
            groups[CITY].setdefault(area.city, []).append(area)
        for level, by_label in groups.items():
            for label, members in by_label.items():
                name = members[0].district if level == KECAMATAN else members[0].city
                self._add(name, _Target(level, label, tuple(members)))

    def _add(self, name: str, target: _Target) -> None:
        folded = fold(name)
        for key in (folded, _strip_prefixes(folded)[0]):
            if key:
                self._names[target.level].setdefault(key, target)

    def _match(self, query: str) -> _Target | None:
        folded = fold(query)
        attempts = [folded]
        if "," in query:  # "Gambir, Jakarta Pusat": the first part names the place
            attempts.append(fold(query.split(",", 1)[0]))
        for text in attempts:
            stripped, level = _strip_prefixes(text)
            if not stripped:
                continue
            order = [level] if level else []
            order += [lvl for lvl in _LEVELS if lvl != level]
            for lvl in order:
                for key in (stripped, text):
                    target = self._names[lvl].get(key)
                    if target is not None:
                        return target
        return None

    async def search(self, query: str) -> Place | None:
        target = self._match(query)
        if target is None:
            return None
        if target.point is None:  # computed on first use: most names are never typed
            target.point = representative_point(target.areas)
        lat, lon = target.point
        return Place(lat=lat, lon=lon, label=target.label, address=None, approximate=True)

    async def reverse(self, lat: float, lon: float) -> str | None:
        """Boundaries know no streets: always None (the area label comes from ``AreaIndex``)."""
        return None


def build_geocoder(
    kind: str,
    *,
    areas: AreaIndex,
    cache: GeocodeCacheRepository,
    url: str,
    user_agent: str,
    timeout: float,
) -> Geocoder:
    """The geocoder ``GEOCODER`` names: ``offline`` (default, no network) or ``nominatim``."""
    # Imported here, where it is chosen: bot.geo.nominatim builds on this module's Place and
    # offline fallback, so a module-level import would go both ways.
    from bot.geo.nominatim import NominatimGeocoder

    offline = OfflineGeocoder(areas)
    choice = kind.strip().lower()
    if choice == "offline":
        return offline
    if choice == "nominatim":
        return NominatimGeocoder(
            url=url, user_agent=user_agent, timeout=timeout, cache=cache, fallback=offline
        )
    raise ValueError(f"GEOCODER={kind!r} is not one of {', '.join(GEOCODER_KINDS)}")
