"""Nominatim through geopy: typed addresses to points and points to street addresses, paced,
cached and fail-safe.

Why Nominatim calls run in a thread: geopy's synchronous adapter blocks, and one blocked event loop
would make every chat wait. geopy's ``AsyncRateLimiter`` paces the calls on the loop (Nominatim's
usage policy allows one request per second), and a cache in SQLite keeps repeats off the network.
Whatever goes wrong, the citizen gets the offline answer
(:class:`bot.geo.geocoding.OfflineGeocoder`) instead of a failed report.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from geopy.adapters import URLLibAdapter
from geopy.extra.rate_limiter import AsyncRateLimiter
from geopy.geocoders import Nominatim

from bot.geo.geocoding import OfflineGeocoder, Place, normalise_query
from storage.geocache import GeocodeCacheRepository

log = logging.getLogger(__name__)

# --- Nominatim's answers ---------------------------------------------------------------------

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
