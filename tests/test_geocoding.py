"""Geocoding: kelurahan names offline, and Nominatim (a local fake) paced, cached and fail-safe."""

import asyncio
import logging
import socket
import time
from itertools import pairwise

import pytest

from bot.geo.areas import AreaIndex
from bot.geo.geocoding import (
    OfflineGeocoder,
    Place,
    build_geocoder,
    representative_point,
)
from bot.geo.nominatim import NominatimGeocoder, split_url
from storage.db import Database
from storage.geocache import GeocodeCacheRepository
from tests.fakes import start_fake_nominatim

USER_AGENT = "wargalapor-tests/1.0 (ops@example.org)"
# The gaps are read where the fake receives the requests: a request the busy event loop (four
# test workers on two cores) sends a little late shortens the next gap by as much. Without pacing
# the gaps are about 0, so the slack still catches a missing pace.
CLOCK_SLACK = 0.1


@pytest.fixture(scope="module")
def areas():
    return AreaIndex.load()


@pytest.fixture(scope="module")
def offline(areas):
    return OfflineGeocoder(areas)


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "data" / "geo.sqlite3")
    await database.open()
    yield database
    await database.close()


@pytest.fixture
def cache(db):
    return GeocodeCacheRepository(db)


@pytest.fixture
async def fake():
    server = await start_fake_nominatim()
    yield server
    await server.close()


def nominatim(url, cache, offline, *, timeout=2.0, min_delay=0.3):
    return NominatimGeocoder(
        url=url,
        user_agent=USER_AGENT,
        timeout=timeout,
        cache=cache,
        fallback=offline,
        min_delay_seconds=min_delay,
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- offline -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kelurahan", "label"),
    [
        ("Gambir", "Gambir", "Kel. Gambir, Kec. Gambir, Jakarta Pusat"),
        ("kelurahan pinangsia", "Pinangsia", "Kel. Pinangsia, Kec. Taman Sari, Jakarta Barat"),
        ("Ragunan", "Ragunan", "Kel. Ragunan, Kec. Pasar Minggu, Jakarta Selatan"),
        ("  KEL.  Pínangsia ", "Pinangsia", "Kel. Pinangsia, Kec. Taman Sari, Jakarta Barat"),
        ("Jakarta Ragunan", "Ragunan", "Kel. Ragunan, Kec. Pasar Minggu, Jakarta Selatan"),
        ("Gambir, Jakarta Pusat", "Gambir", "Kel. Gambir, Kec. Gambir, Jakarta Pusat"),
        ("kota bambu utara", "Kota Bambu Utara", None),
    ],
)
async def test_offline_finds_a_kelurahan_by_name(offline, areas, query, kelurahan, label):
    place = await offline.search(query)
    assert place is not None and place.address is None
    assert areas.locate(place.lat, place.lon).name == kelurahan
    if label:
        assert place.label == label


async def test_offline_then_kecamatan_then_city(offline, areas):
    place = await offline.search("kec. gambir")  # the prefix asks for the kecamatan
    assert place.label == "Kec. Gambir, Jakarta Pusat"
    assert areas.locate(place.lat, place.lon).district == "Gambir"
    place = await offline.search("Kebayoran Baru")  # no kelurahan of that name
    assert place.label == "Kec. Kebayoran Baru, Jakarta Selatan"
    assert areas.locate(place.lat, place.lon).district == "Kebayoran Baru"
    place = await offline.search("Jakarta Utara")
    assert place.label == "Jakarta Utara"
    assert areas.locate(place.lat, place.lon).city == "Jakarta Utara"


@pytest.mark.parametrize("query", ["Bandung", "Jalan Medan Merdeka Barat", "Jakarta", "kel.", ""])
async def test_offline_unknown_names_find_nothing(offline, query):
    assert await offline.search(query) is None


async def test_offline_has_no_streets(offline):
    assert await offline.reverse(-6.1754, 106.8272) is None


def test_every_representative_point_lies_in_its_own_kelurahan(areas):
    for area in areas.areas:
        lat, lon = representative_point([area])
        assert areas.locate(lat, lon) is area, area.name


# --- Nominatim ---------------------------------------------------------------------------------


def test_the_url_gives_geopy_scheme_and_domain():
    assert split_url("http://127.0.0.1:8080/") == ("http", "127.0.0.1:8080")
    assert split_url("https://nominatim.example.org") == ("https", "nominatim.example.org")
    assert split_url("https://geo.example.org/nominatim") == ("https", "geo.example.org/nominatim")
    with pytest.raises(ValueError, match="Nominatim URL"):
        split_url("nominatim.openstreetmap.org")


async def test_search_asks_jakarta_in_indonesian_and_builds_a_label(fake, cache, offline, areas):
    geocoder = nominatim(fake.url, cache, offline)
    place = await geocoder.search("Jalan  Medan Merdeka Barat")
    assert place == Place(
        lat=-6.1754,
        lon=106.8272,
        label="Jalan Medan Merdeka Barat, Gambir, Jakarta Pusat",
        address="Jalan Medan Merdeka Barat, Gambir, Jakarta Pusat",
    )
    (request,) = fake.requests
    assert request.path == "/search" and request.user_agent == USER_AGENT
    params = request.params
    assert params["q"] == "Jalan Medan Merdeka Barat"
    assert params["format"] == "json" and params["limit"] == "1"
    assert params["countrycodes"] == "id" and params["accept-language"] == "id"
    assert params["addressdetails"] == "1" and params["bounded"] == "1"
    west, south, east, north = (float(v) for v in params["viewbox"].split(","))
    assert west < 106.8272 < east and south < -6.1754 < north
    assert areas.locate(place.lat, place.lon).name == "Gambir"

    museum = await geocoder.search("museum fatahillah")
    assert museum.label == (
        "Museum Fatahillah, Jalan Taman Fatahillah No. 1, Pinangsia, Taman Sari, Jakarta Barat"
    )
    assert museum.address == "Jalan Taman Fatahillah No. 1, Pinangsia, Taman Sari, Jakarta Barat"
    assert (museum.lat, museum.lon) == (-6.1352, 106.8133)


async def test_search_outside_jakarta_or_unknown_finds_nothing_but_kelurahan_names(
    fake, cache, offline
):
    geocoder = nominatim(fake.url, cache, offline, min_delay=0.0)
    assert await geocoder.search("Gedung Sate") is None  # in Bandung: outside the viewbox
    assert await geocoder.search("Jalan Yang Tidak Ada") is None
    # Nominatim knows no "Ragunan" here, the bundled boundaries do.
    place = await geocoder.search("Ragunan")
    assert place.label == "Kel. Ragunan, Kec. Pasar Minggu, Jakarta Selatan"
    assert fake.paths() == ["/search"] * 3


async def test_reverse_gives_the_street_address(fake, cache, offline):
    geocoder = nominatim(fake.url, cache, offline, min_delay=0.0)
    assert await geocoder.reverse(-6.13521, 106.81332) == (
        "Jalan Taman Fatahillah No. 1, Pinangsia, Taman Sari, Jakarta Barat"
    )
    assert await geocoder.reverse(-6.2000, 106.9000) is None  # far from every known place
    first, second = fake.requests
    assert first.path == "/reverse" and first.user_agent == USER_AGENT
    assert (first.params["lat"], first.params["lon"]) == ("-6.13521", "106.81332")
    assert first.params["addressdetails"] == "1" and first.params["accept-language"] == "id"
    assert second.path == "/reverse"


async def test_answers_and_misses_are_cached(fake, cache, offline):
    geocoder = nominatim(fake.url, cache, offline)
    first = await geocoder.search("Museum Fatahillah")
    started = time.monotonic()
    again = await geocoder.search("  museum   FATAHILLAH ")
    assert again == first
    assert time.monotonic() - started < 0.2  # a cache hit does not wait for a request slot
    assert await geocoder.search("Jalan Yang Tidak Ada") is None
    assert await geocoder.search("jalan yang tidak ada") is None
    assert await geocoder.reverse(-6.1754, 106.8272) is not None
    assert await geocoder.reverse(-6.175400001, 106.827200001) is not None  # same 5 decimals
    assert fake.paths() == ["/search", "/search", "/reverse"]
    assert await cache.get("search", "jalan yang tidak ada") == (True, None)

    # The cache lives in SQLite: a new geocoder (a restarted bot) sends nothing either.
    restarted = nominatim(fake.url, cache, offline)
    assert await restarted.search("Museum Fatahillah") == first
    assert len(fake.requests) == 3


async def test_cache_entries_expire(db, cache):
    await cache.put("search", "gambir", {"lat": 1.0})
    await cache.put("search", "nowhere", None)
    assert await cache.get("search", "gambir") == (True, {"lat": 1.0})
    assert await cache.get("search", "nowhere") == (True, None)
    assert await cache.get("reverse", "gambir") == (False, None)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE geocode_cache SET created_at = '2020-01-01T00:00:00+00:00'"
            " WHERE query = 'nowhere'"
        )
    assert await cache.get("search", "nowhere") == (False, None)
    assert await cache.delete_expired() == 1
    await cache.put("search", "gambir", {"lat": 2.0})  # overwrites
    assert await cache.get("search", "gambir") == (True, {"lat": 2.0})


async def test_requests_are_paced_one_per_second(fake, cache, offline):
    geocoder = nominatim(fake.url, cache, offline, min_delay=1.0)
    await geocoder.search("Museum Fatahillah")
    await geocoder.reverse(-6.1754, 106.8272)
    first, second = fake.requests
    assert second.at - first.at >= 1.0 - CLOCK_SLACK


async def test_concurrent_requests_are_paced_too(fake, cache, offline):
    geocoder = nominatim(fake.url, cache, offline, min_delay=0.3)
    await asyncio.gather(
        geocoder.search("Museum Fatahillah"),
        geocoder.search("Jalan Medan Merdeka Barat"),
        geocoder.reverse(-6.3125, 106.8201),
    )
    times = sorted(request.at for request in fake.requests)
    assert len(times) == 3
    assert all(later - earlier >= 0.3 - CLOCK_SLACK for earlier, later in pairwise(times))


async def test_a_request_does_not_block_the_event_loop(fake, cache, offline):
    geocoder = nominatim(fake.url, cache, offline)
    fake.delay(0.4)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        assert await geocoder.search("Museum Fatahillah") is not None
    finally:
        ticker.cancel()
    assert ticks >= 10


async def test_server_error_answers_offline_and_is_not_cached(fake, cache, offline, caplog):
    geocoder = nominatim(fake.url, cache, offline, min_delay=0.0)
    fake.fail_with(500)
    with caplog.at_level(logging.WARNING, logger="bot.geo.nominatim"):
        place = await geocoder.search("Kelurahan Pinangsia")
        assert await geocoder.reverse(-6.1352, 106.8133) is None
        assert await geocoder.search("Pinangsia dekat 0812-3456-7890") is None
    assert place.label == "Kel. Pinangsia, Kec. Taman Sari, Jakarta Barat"
    records = [r for r in caplog.records if r.getMessage() == "geocoder failed"]
    assert [(r.kind, r.error) for r in records] == [
        ("search", "GeocoderServiceError"),
        ("reverse", "GeocoderServiceError"),
        ("search", "GeocoderServiceError"),
    ]
    for record in records:
        assert not any("3456" in str(value) for value in vars(record).values())
    assert await cache.get("search", "kelurahan pinangsia") == (False, None)

    fake.behave()
    assert (await geocoder.search("Kelurahan Pinangsia")).label.startswith("Kel. Pinangsia")
    assert await geocoder.reverse(-6.1352, 106.8133) is not None
    assert len(fake.requests) == 5  # the failures were asked again


async def test_malformed_answers_fall_back_and_are_not_cached(fake, cache, offline):
    geocoder = nominatim(fake.url, cache, offline, min_delay=0.0)
    fake.malformed("<html>502 Bad Gateway</html>")
    assert (await geocoder.search("Gambir")).label.startswith("Kel. Gambir")
    assert await geocoder.reverse(-6.1754, 106.8272) is None
    fake.malformed('[{"lat": "not a number", "lon": "106.8"}]')
    assert (await geocoder.search("Gambir")).label.startswith("Kel. Gambir")
    fake.malformed('"a string, not an object"')
    assert await geocoder.reverse(-6.1754, 106.8272) is None
    assert await cache.get("search", "gambir") == (False, None)
    assert await cache.get("reverse", "-6.17540,106.82720") == (False, None)
    fake.behave()
    assert await geocoder.reverse(-6.1754, 106.8272) is not None
    assert len(fake.requests) == 5


async def test_timeout_answers_offline_in_bounded_time(fake, cache, offline):
    geocoder = nominatim(fake.url, cache, offline, timeout=0.5)
    fake.delay(3.0)
    started = time.monotonic()
    place = await geocoder.search("Gambir")
    assert time.monotonic() - started < 1.5
    assert place.label == "Kel. Gambir, Kec. Gambir, Jakarta Pusat"
    assert await cache.get("search", "gambir") == (False, None)


async def test_a_queue_of_citizens_waits_no_longer_than_the_timeout(fake, cache, offline):
    """Six citizens at once, one request a second between them all: without a bound on the wait
    in the queue, the last would wait five seconds; each gets an answer within the timeout."""
    geocoder = nominatim(fake.url, cache, offline, timeout=1.0, min_delay=1.0)
    started = time.monotonic()

    async def ask(query: str) -> float:
        assert await geocoder.search(query) is not None
        return time.monotonic() - started

    names = ("Gambir", "Pinangsia", "Ragunan", "Cideng", "Kebon Kelapa", "Petojo Utara")
    waits = await asyncio.gather(*(ask(name) for name in names))
    assert max(waits) < 1.8, waits
    assert len(fake.requests) < 6  # those at the back of the queue were answered offline


async def test_connection_refused_answers_offline(cache, offline):
    geocoder = nominatim(f"http://127.0.0.1:{closed_port()}", cache, offline)
    started = time.monotonic()
    assert (await geocoder.search("Ragunan")).label.startswith("Kel. Ragunan")
    assert await geocoder.reverse(-6.3125, 106.8201) is None
    assert time.monotonic() - started < 2.0


async def test_build_geocoder_by_kind(cache, areas):
    options = {"areas": areas, "cache": cache, "user_agent": USER_AGENT, "timeout": 1.0}
    url = "http://127.0.0.1:9"  # never contacted: building a geocoder opens no connection
    assert isinstance(build_geocoder("offline", url=url, **options), OfflineGeocoder)
    assert isinstance(build_geocoder(" Nominatim ", url=url, **options), NominatimGeocoder)
    with pytest.raises(ValueError, match="GEOCODER='google'"):
        build_geocoder("google", url=url, **options)
