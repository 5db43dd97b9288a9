"""How a report's place reads to people: "Kel. Gambir, Kec. Gambir, Jakarta Pusat"."""

from __future__ import annotations

from bot.geo.areas import Area, AreaIndex
from bot.i18n import Html, t


def area_label(area: Area | None, language: str) -> Html:
    if area is None:
        return t(language, "report.outside_area")
    return t(
        language, "report.area_place", kelurahan=area.name, kecamatan=area.district, kota=area.city
    )


def place_label(
    areas: AreaIndex,
    lat: float,
    lon: float,
    place_name: str | None,
    language: str,
    address: str | None = None,
) -> Html:
    """The venue's name or the street address when known, then the kelurahan line."""
    area = areas.locate(lat, lon)
    label = area_label(area, language)
    if place_name:
        return t(language, "report.venue_place", name=place_name, place=label)
    if address:
        return t(language, "report.address_place", address=address, place=label)
    return label


def short_place(areas: AreaIndex, lat: float, lon: float, language: str) -> Html:
    area = areas.locate(lat, lon)
    if area is None:
        return t(language, "report.place_short_outside")
    return t(language, "report.place_short_area", kelurahan=area.name)
