"""Links that open a point in a map app, for messages that carry a place as text.

Why a link and not a location message: an alert was a separate map pin before its card; a link
on the card opens the same point (OpenStreetMap's page, which phones hand to their map app) in
one message instead of two.
"""

from __future__ import annotations

MAP_ZOOM = 18  # a street and its houses


def _coordinate(value: float) -> str:
    """Six decimals (about 10 cm) without trailing zeros, never in exponent notation."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def osm_url(lat: float, lon: float, zoom: int = MAP_ZOOM) -> str:
    """OpenStreetMap with a marker on the point, centred on it."""
    la, lo = _coordinate(lat), _coordinate(lon)
    return f"https://www.openstreetmap.org/?mlat={la}&mlon={lo}#map={zoom}/{la}/{lo}"
