"""Typed addresses to points, points to street addresses: offline by default, or Nominatim.

Why an offline geocoder at all: most citizens share a location pin, but some can only type where
they are, and the bundled kelurahan boundaries answer "Gambir" or "kelurahan pinangsia" without any
network. It is also what the Nominatim geocoder falls back to, so a slow or broken geocoding
service degrades the answer instead of failing the report.

Why Nominatim calls run in a thread: geopy's synchronous adapter blocks, and one blocked event loop
would make every chat wait. geopy's ``AsyncRateLimiter`` paces the calls on the loop (Nominatim's
usage policy allows one request per second), and a cache in SQLite keeps repeats off the network.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from geopy.adapters import URLLibAdapter
from geopy.extra.rate_limiter import AsyncRateLimiter
from geopy.geocoders import Nominatim

from bot.geo.areas import Area, AreaIndex, Polygon
from storage.geocache import GeocodeCacheRepository

log = logging.getLogger(__name__)

GEOCODER_KINDS = ("offline", "nominatim")


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    label: str  # what the citizen sees, e.g. "Jalan Medan Merdeka Barat, Gambir, Jakarta Pusat"
    address: str | None  # a street address when known


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
        return Place(lat=lat, lon=lon, label=target.label, address=None)

    async def reverse(self, lat: float, lon: float) -> str | None:
        """Boundaries know no streets: always None (the area label comes from ``AreaIndex``)."""
        return None


# --- Nominatim ---------------------------------------------------------------------------------

_STREET_KEYS = ("road", "pedestrian", "footway", "path", "cycleway", "square")
_KELURAHAN_KEYS = ("village", "suburb", "quarter", "neighbourhood", "hamlet")
_KECAMATAN_KEYS = ("city_district", "suburb")
_CITY_KEYS = ("city", "town", "municipality", "county")


def _first(address: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = address.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _unique(parts: Iterable[str | None]) -> list[str]:
    """Drop empty and repeated parts: Jakarta's "Gambir, Gambir" is kelurahan and kecamatan."""
    seen: set[str] = set()
    kept = []
    for part in parts:
        if part and part.casefold() not in seen:
            seen.add(part.casefold())
            kept.append(part)
    return kept


def street_address(raw: Mapping[str, Any]) -> str | None:
    """A Nominatim ``address`` as "Jalan Medan Merdeka Barat No. 5, Gambir, Jakarta Pusat".

    None without a street: the kelurahan alone is shown anyway, from the area index.
    """
    address = raw.get("address")
    if not isinstance(address, Mapping):
        return None
    street = _first(address, _STREET_KEYS)
    if street is None:
        return None
    number = _first(address, ("house_number",))
    if number:
        street = f"{street} No. {number}"
    parts = [
        street,
        _first(address, _KELURAHAN_KEYS),
        _first(address, _KECAMATAN_KEYS),
        _first(address, _CITY_KEYS),
    ]
    return ", ".join(_unique(parts))


def place_label(raw: Mapping[str, Any], lat: float, lon: float) -> str:
    """A short label: the feature's name, then its street address or its area."""
    name = raw.get("name") if isinstance(raw.get("name"), str) else None
    street = street_address(raw)
    if street:
        return ", ".join(_unique([name, *street.split(", ")]))
    address = raw.get("address")
    if isinstance(address, Mapping):
        parts = _unique(
            [
                name,
                _first(address, _KELURAHAN_KEYS),
                _first(address, _KECAMATAN_KEYS),
                _first(address, _CITY_KEYS),
            ]
        )
        if parts:
            return ", ".join(parts)
    display = raw.get("display_name")
    if isinstance(display, str) and display.strip():
        return ", ".join(part.strip() for part in display.split(",")[:3])
    return f"{lat:.5f}, {lon:.5f}"


def _coordinate(value: Any, limit: float) -> float:
    number = float(value)
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError("coordinate out of range")
    return number


def _place_from_answer(raw: Any) -> Place:
    """A Place from one Nominatim result; raises on a malformed one (treated as a failure)."""
    if not isinstance(raw, Mapping):
        raise TypeError("a Nominatim result is not an object")
    lat, lon = _coordinate(raw["lat"], 90), _coordinate(raw["lon"], 180)
    return Place(lat=lat, lon=lon, label=place_label(raw, lat, lon), address=street_address(raw))


def _place_from_cache(value: Mapping[str, Any]) -> Place | None:
    """The cached Place, or None when the row does not have its shape (then it is re-asked)."""
    try:
        address = value.get("address")
        return Place(
            lat=_coordinate(value["lat"], 90),
            lon=_coordinate(value["lon"], 180),
            label=str(value["label"]),
            address=address if isinstance(address, str) else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class _Hit:
    value: dict[str, Any] | None  # None: the geocoder found nothing


def split_url(url: str) -> tuple[str, str]:
    """``http://127.0.0.1:8080`` -> ("http", "127.0.0.1:8080"), geopy's scheme and domain.

    A path stays with the domain (``https://example.org/nominatim``): geopy appends ``/search``
    and ``/reverse`` to the domain.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the Nominatim URL {url!r} must look like https://nominatim.example.org")
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


class NominatimGeocoder:
    """Nominatim through geopy: rate-limited, cached in SQLite, falling back to the offline one.

    Searches are biased to Jakarta (``countrycodes=id``, the service area's bounding box as a
    bounded viewbox) and ask for Indonesian names with address details, from which the label is
    built. Answers, "nothing found" included, are cached by the normalised query or by the point
    rounded to 5 decimals (about a metre). Any failure is logged without the query (it may hold a
    phone number) and answered offline; failures are not cached, so the next ask retries.

    When Nominatim finds nothing the offline geocoder is still asked: it costs no request and
    knows every kelurahan name, which a bounded Nominatim search can miss.
    """

    def __init__(
        self,
        *,
        url: str,
        user_agent: str,
        timeout: float,
        cache: GeocodeCacheRepository,
        fallback: OfflineGeocoder,
        min_delay_seconds: float = 1.0,
    ) -> None:
        scheme, domain = split_url(url)
        # The urllib adapter explicitly, even if ``requests`` gets installed: calls run in worker
        # threads, and urllib keeps no shared session whose thread safety we would depend on.
        self._nominatim = Nominatim(
            domain=domain,
            scheme=scheme,
            user_agent=user_agent,
            timeout=timeout,
            adapter_factory=URLLibAdapter,
        )
        self._cache = cache
        self._fallback = fallback
        # urllib's timeout bounds each socket operation, not the whole call, and the rate limit
        # queues citizens behind each other (one request a second for everybody): this bounds
        # what one citizen waits, queue included, before the offline answer.
        self._deadline = timeout
        areas = fallback.areas.areas
        self._viewbox = (
            (min(a.min_lat for a in areas), min(a.min_lon for a in areas)),
            (max(a.max_lat for a in areas), max(a.max_lon for a in areas)),
        )
        # No retries (the citizen is waiting; the offline answer is immediate) and no swallowing
        # (a swallowed error would look like "nothing found" and be cached).
        self._limited = AsyncRateLimiter(
            self._in_thread,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            error_wait_seconds=min_delay_seconds,
            swallow_exceptions=False,
        )
        # geopy logs each request URL, query included, at DEBUG; keep that out of our logs unless
        # someone configured the "geopy" logger on purpose.
        geopy_log = logging.getLogger("geopy")
        if geopy_log.level == logging.NOTSET:
            geopy_log.setLevel(logging.INFO)

    async def _in_thread(self, call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(call, *args, **kwargs)

    async def _ask(self, call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """One Nominatim request, waiting its turn under the rate limit, within the deadline."""
        async with asyncio.timeout(self._deadline):
            return await self._limited(call, *args, **kwargs)

    async def search(self, query: str) -> Place | None:
        key = normalise_query(query)
        if not key:
            return None
        cached = await self._cached("search", key)
        if cached is not None:
            if cached.value is None:
                return await self._fallback.search(query)
            place = _place_from_cache(cached.value)
            if place is not None:
                return place
        try:
            location = await self._ask(
                self._nominatim.geocode,
                " ".join(query.split()),
                exactly_one=True,
                addressdetails=True,
                language="id",
                country_codes="id",
                viewbox=self._viewbox,
                bounded=True,
            )
            place = None if location is None else _place_from_answer(location.raw)
        except Exception as error:
            self._failed("search", error)
            return await self._fallback.search(query)
        await self._store("search", key, None if place is None else asdict(place))
        return place if place is not None else await self._fallback.search(query)

    async def reverse(self, lat: float, lon: float) -> str | None:
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        lat, lon = round(lat, 5), round(lon, 5)
        key = f"{lat:.5f},{lon:.5f}"
        cached = await self._cached("reverse", key)
        if cached is not None:
            if cached.value is None:
                return None
            address = cached.value.get("address")
            if isinstance(address, str):
                return address
        try:
            location = await self._ask(
                self._nominatim.reverse,
                (lat, lon),
                exactly_one=True,
                addressdetails=True,
                language="id",
                zoom=18,
            )
            address = None if location is None else street_address(location.raw)
        except Exception as error:
            self._failed("reverse", error)
            return None
        await self._store("reverse", key, None if address is None else {"address": address})
        return address

    async def _cached(self, kind: str, key: str) -> _Hit | None:
        """The cache entry, or None on a miss; a broken cache is a miss, not a failed search."""
        try:
            found, value = await self._cache.get(kind, key)
        except Exception as error:
            log.warning("geocode cache failed", extra={"kind": kind, "error": type(error).__name__})
            return None
        return _Hit(value) if found else None

    async def _store(self, kind: str, key: str, value: dict[str, Any] | None) -> None:
        try:
            await self._cache.put(kind, key, value)
        except Exception as error:
            log.warning("geocode cache failed", extra={"kind": kind, "error": type(error).__name__})

    @staticmethod
    def _failed(kind: str, error: Exception) -> None:
        # The error's class only: messages and tracebacks can carry the request URL, query and all.
        log.warning(
            "geocoder failed",
            extra={"geocoder": "nominatim", "kind": kind, "error": type(error).__name__},
        )


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
    offline = OfflineGeocoder(areas)
    choice = kind.strip().lower()
    if choice == "offline":
        return offline
    if choice == "nominatim":
        return NominatimGeocoder(
            url=url, user_agent=user_agent, timeout=timeout, cache=cache, fallback=offline
        )
    raise ValueError(f"GEOCODER={kind!r} is not one of {', '.join(GEOCODER_KINDS)}")
