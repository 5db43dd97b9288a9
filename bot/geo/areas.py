"""Which kelurahan a point lies in: point-in-polygon over the bundled boundaries.

Why a bounding-box prefilter: a point falls inside only a handful of the 268 kelurahan boxes, so the
costly ray-casting runs on those few polygons instead of every one.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

Ring = tuple[tuple[float, float], ...]  # (lon, lat) pairs, as GeoJSON orders them
Polygon = tuple[Ring, ...]  # outer ring first, then holes

REQUIRED_PROPERTIES = ("code", "name", "district", "city")


class AreaFileError(ValueError):
    """The areas GeoJSON is unusable; the message names the feature and what is wrong."""


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    district: str
    city: str
    polygons: tuple[Polygon, ...]
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lat: float, lon: float) -> bool:
        if not (self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon):
            return False
        return any(_in_polygon(polygon, lon, lat) for polygon in self.polygons)


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
        x1, y1 = x2, y2
    return inside


def _in_polygon(polygon: Polygon, x: float, y: float) -> bool:
    outer, *holes = polygon
    return _in_ring(outer, x, y) and not any(_in_ring(hole, x, y) for hole in holes)


def _ring(raw: Any, where: str) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise AreaFileError(f"{where}: a ring needs at least 4 positions")
    ring = []
    for position in raw:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) for v in position[:2])
        ):
            raise AreaFileError(f"{where}: a position is not [lon, lat]")
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise AreaFileError(f"{where}: position {position} is outside the globe")
        ring.append((lon, lat))
    return tuple(ring)


def _polygons(geometry: Any, where: str) -> tuple[Polygon, ...]:
    if not isinstance(geometry, dict):
        raise AreaFileError(f"{where}: geometry is missing")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    raw_polygons: Any  # checked just below, whichever shape the file gave
    if kind == "Polygon":
        raw_polygons = [coordinates]
    elif kind == "MultiPolygon":
        raw_polygons = coordinates
    else:
        raise AreaFileError(f"{where}: geometry type {kind!r} is not Polygon or MultiPolygon")
    if not isinstance(raw_polygons, list) or not raw_polygons:
        raise AreaFileError(f"{where}: geometry has no coordinates")
    polygons = []
    for raw in raw_polygons:
        if not isinstance(raw, list) or not raw:
            raise AreaFileError(f"{where}: a polygon has no rings")
        polygons.append(tuple(_ring(ring, where) for ring in raw))
    return tuple(polygons)


def _area(feature: Any, index: int) -> Area:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    label = f"feature #{index}"
    if isinstance(properties, dict) and properties.get("name"):
        label += f" ({properties['name']})"
    if not isinstance(properties, dict):
        raise AreaFileError(f"{label}: properties are missing")
    missing = [key for key in REQUIRED_PROPERTIES if not str(properties.get(key) or "").strip()]
    if missing:
        raise AreaFileError(f"{label}: property {', '.join(missing)} is missing")
    polygons = _polygons(feature.get("geometry"), label)
    lons = [lon for polygon in polygons for lon, _ in polygon[0]]
    lats = [lat for polygon in polygons for _, lat in polygon[0]]
    return Area(
        code=str(properties["code"]),
        name=str(properties["name"]),
        district=str(properties["district"]),
        city=str(properties["city"]),
        polygons=polygons,
        min_lon=min(lons),
        min_lat=min(lats),
        max_lon=max(lons),
        max_lat=max(lats),
    )


GRID_DEGREES = 0.01  # about 1.1 km: a cell's candidate list is short


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / GRID_DEGREES), math.floor(lon / GRID_DEGREES)


class AreaIndex:
    """All service areas; ``locate`` answers which one holds a point, or None outside them.

    A coarse grid maps each cell to the areas whose bounding box touches it, so a lookup tests a
    handful of polygons instead of scanning all 268 boxes.
    """

    def __init__(self, areas: list[Area]) -> None:
        self.areas = areas
        self.by_code = {area.code: area for area in areas}
        self._grid: dict[tuple[int, int], list[Area]] = {}
        for area in areas:
            low_lat, low_lon = _cell(area.min_lat, area.min_lon)
            high_lat, high_lon = _cell(area.max_lat, area.max_lon)
            for cell_lat in range(low_lat, high_lat + 1):
                for cell_lon in range(low_lon, high_lon + 1):
                    self._grid.setdefault((cell_lat, cell_lon), []).append(area)

    @classmethod
    @functools.cache
    def load(cls, path: Path | None = None) -> AreaIndex:
        """Parsed once per file and process: the CLI checks the file before going online and
        start-up then uses the same index instead of reading 1.5 MB again."""
        return cls._parse(path)

    @classmethod
    def _parse(cls, path: Path | None) -> AreaIndex:
        if path is None:
            text = (
                resources.files("bot.data")
                .joinpath("jakarta_kelurahan.geojson")
                .read_text(encoding="utf-8")
            )
        else:
            text = path.read_text(encoding="utf-8")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise AreaFileError(f"not valid JSON: {error}") from None
        features = document.get("features") if isinstance(document, dict) else None
        if not isinstance(features, list) or not features:
            raise AreaFileError("not a GeoJSON FeatureCollection with features")
        areas = [_area(feature, index) for index, feature in enumerate(features, start=1)]
        codes = [area.code for area in areas]
        if len(set(codes)) != len(codes):
            raise AreaFileError("area codes are not unique")
        return cls(areas)

    def locate(self, lat: float, lon: float) -> Area | None:
        for area in self._grid.get(_cell(lat, lon), ()):
            if area.contains(lat, lon):
                return area
        return None
