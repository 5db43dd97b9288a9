"""A fake Nominatim (``/search`` and ``/reverse``) answering in its ``json``/``jsonv2`` shapes.

Start it inside the test's event loop with ``fake = await start_fake_nominatim()`` and point the
geocoder at ``fake.url``. It answers from :data:`KNOWN_PLACES` (an empty list for anything else,
``{"error": "Unable to geocode"}`` for a point far from every known place), records every request
in ``fake.requests``, and can misbehave: ``fake.fail_with(500)``, ``fake.delay(2.0)``,
``fake.malformed("<html>")``; ``fake.behave()`` undoes all three.

It filters like the real service where the client relies on it: ``countrycodes``, a ``bounded``
``viewbox`` and ``limit``; and it refuses a missing ``format`` (the real default is XML, which
geopy cannot read) so a client that forgets it fails here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

_LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"
_FORMATS = ("json", "jsonv2")


@dataclass(frozen=True)
class FakePlace:
    """One place the fake knows, found by any of ``queries`` (compared lower-cased, collapsed)."""

    queries: tuple[str, ...]
    lat: float
    lon: float
    name: str
    category: str
    type: str
    address: dict[str, str]

    def answer(self, fmt: str, *, addressdetails: bool) -> dict[str, Any]:
        order = ("road", "house_number", "village", "city_district", "city", "state", "country")
        parts = [self.name] if self.name else []
        parts += [self.address[key] for key in order if key in self.address]
        result: dict[str, Any] = {
            "place_id": zlib.crc32(self.queries[0].encode()) % 10**8,
            "licence": _LICENCE,
            "osm_type": "way",
            "osm_id": zlib.crc32(self.name.encode()),
            "lat": f"{self.lat:.7f}",  # Nominatim sends coordinates as strings
            "lon": f"{self.lon:.7f}",
            "place_rank": 30,
            "importance": 0.4,
            "addresstype": self.type,
            "name": self.name,
            "display_name": ", ".join(dict.fromkeys(parts)),
            "boundingbox": [
                f"{self.lat - 0.001:.7f}",
                f"{self.lat + 0.001:.7f}",
                f"{self.lon - 0.001:.7f}",
                f"{self.lon + 0.001:.7f}",
            ],
        }
        if fmt == "jsonv2":
            result["category"] = self.category
        else:
            result["class"] = self.category
        result["type"] = self.type
        if addressdetails:
            result["address"] = {
                **self.address,
                "ISO3166-2-lvl4": "ID-JK",
                "country": "Indonesia",
                "country_code": "id",
            }
        return result


_JAKARTA = "Daerah Khusus Ibukota Jakarta"

KNOWN_PLACES: tuple[FakePlace, ...] = (
    FakePlace(
        queries=("jalan medan merdeka barat", "jl. medan merdeka barat"),
        lat=-6.1754,
        lon=106.8272,
        name="Jalan Medan Merdeka Barat",
        category="highway",
        type="primary",
        address={
            "road": "Jalan Medan Merdeka Barat",
            "village": "Gambir",
            "city_district": "Gambir",
            "city": "Jakarta Pusat",
            "state": _JAKARTA,
            "postcode": "10110",
        },
    ),
    FakePlace(
        queries=("museum fatahillah", "museum sejarah jakarta"),
        lat=-6.1352,
        lon=106.8133,
        name="Museum Fatahillah",
        category="tourism",
        type="museum",
        address={
            "tourism": "Museum Fatahillah",
            "house_number": "1",
            "road": "Jalan Taman Fatahillah",
            "village": "Pinangsia",
            "city_district": "Taman Sari",
            "city": "Jakarta Barat",
            "state": _JAKARTA,
            "postcode": "11110",
        },
    ),
    FakePlace(
        queries=("kebun binatang ragunan", "taman margasatwa ragunan"),
        lat=-6.3125,
        lon=106.8201,
        name="Taman Margasatwa Ragunan",
        category="tourism",
        type="zoo",
        address={
            "tourism": "Taman Margasatwa Ragunan",
            "road": "Jalan Harsono RM",
            "village": "Ragunan",
            "city_district": "Pasar Minggu",
            "city": "Jakarta Selatan",
            "state": _JAKARTA,
        },
    ),
    FakePlace(  # outside Jakarta: a bounded Jakarta viewbox must hide it
        queries=("gedung sate",),
        lat=-6.9025,
        lon=107.6188,
        name="Gedung Sate",
        category="building",
        type="government",
        address={
            "road": "Jalan Diponegoro",
            "village": "Citarum",
            "city_district": "Bandung Wetan",
            "city": "Bandung",
            "state": "Jawa Barat",
        },
    ),
)

REVERSE_RADIUS_DEGREES = 0.003  # about 300 m: a point this close to a known place gets its address


@dataclass(frozen=True)
class ReceivedRequest:
    path: str  # "/search" or "/reverse"
    params: dict[str, str]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("User-Agent")


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass
class FakeNominatim:
    places: list[FakePlace] = field(default_factory=lambda: list(KNOWN_PLACES))
    requests: list[ReceivedRequest] = field(default_factory=list)
    port: int = 0
    _status: int | None = None
    _delay: float = 0.0
    _body: str | None = None
    _runner: web.AppRunner | None = None
    _closing: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- switches --

    def fail_with(self, status: int | None) -> None:
        """Answer every request with this HTTP status (None: stop failing)."""
        self._status = status

    def delay(self, seconds: float) -> None:
        """Wait this long before every answer (0: answer at once)."""
        self._delay = seconds

    def malformed(self, body: str | None = "<html>Bad gateway</html>") -> None:
        """Answer 200 with this body instead of the JSON (None: well-formed again)."""
        self._body = body

    def behave(self) -> None:
        self._status, self._delay, self._body = None, 0.0, None

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    # -- HTTP --

    async def _misbehave(self) -> web.Response | None:
        if self._delay > 0:
            # Wakes early when the fake closes, so a test's teardown never waits for it.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._delay)
        if self._status is not None:
            return web.json_response({"error": "injected failure"}, status=self._status)
        if self._body is not None:
            return web.Response(text=self._body, content_type="application/json")
        return None

    def _record(self, request: web.Request) -> dict[str, str] | web.Response:
        params = dict(request.query)
        self.requests.append(
            ReceivedRequest(request.path, params, dict(request.headers), time.monotonic())
        )
        if params.get("format") not in _FORMATS:
            return web.json_response(
                {"error": "this fake serves format=json or jsonv2"}, status=400
            )
        return params

    async def search(self, request: web.Request) -> web.Response:
        params = self._record(request)
        if isinstance(params, web.Response):
            return params
        failure = await self._misbehave()
        if failure is not None:
            return failure
        query = _normalise(params.get("q", ""))
        found = [place for place in self.places if query in place.queries]
        countries = [c for c in params.get("countrycodes", "").lower().split(",") if c]
        if countries and "id" not in countries:
            found = []
        if params.get("bounded") == "1" and "viewbox" in params:
            lon1, lat1, lon2, lat2 = (float(v) for v in params["viewbox"].split(","))
            found = [
                place
                for place in found
                if min(lat1, lat2) <= place.lat <= max(lat1, lat2)
                and min(lon1, lon2) <= place.lon <= max(lon1, lon2)
            ]
        found = found[: int(params.get("limit", "10"))]
        details = params.get("addressdetails") == "1"
        return web.json_response(
            [place.answer(params["format"], addressdetails=details) for place in found]
        )

    async def reverse(self, request: web.Request) -> web.Response:
        params = self._record(request)
        if isinstance(params, web.Response):
            return params
        failure = await self._misbehave()
        if failure is not None:
            return failure
        try:
            lat, lon = float(params["lat"]), float(params["lon"])
        except (KeyError, ValueError):
            return web.json_response({"error": "Parameter 'lat' / 'lon' missing"}, status=400)
        near = [
            (math.dist((lat, lon), (place.lat, place.lon)), index)
            for index, place in enumerate(self.places)
        ]
        distance, index = min(near, default=(math.inf, -1))
        if distance > REVERSE_RADIUS_DEGREES:
            return web.json_response({"error": "Unable to geocode"})
        details = params.get("addressdetails") == "1"
        return web.json_response(
            self.places[index].answer(params["format"], addressdetails=details)
        )

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeNominatim:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def start_fake_nominatim(places: list[FakePlace] | None = None) -> FakeNominatim:
    """Serve a fake Nominatim on a random free port of 127.0.0.1 in the running loop."""
    fake = FakeNominatim(places=list(KNOWN_PLACES if places is None else places))
    app = web.Application()
    app.router.add_get("/search", fake.search)
    app.router.add_get("/reverse", fake.reverse)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None and server.sockets, "fake Nominatim did not bind"  # type: ignore[attr-defined]
    fake.port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
    fake._runner = runner
    return fake
