"""HTML for the staff pages, built from escaped parts: no template engine, no markup from data.

Every value that comes from a report, a person or a query string goes through :func:`esc`, so a
citizen's ``<script>`` in a description is text on an officer's screen. Texts come from the
``[web]`` section of the catalogs (plain text) and are escaped too. The HTML holds no inline
script or style (the CSP in :mod:`bot.http.staff_guard` forbids both): the look is
``static/staff.css``, the map ``static/staff-map.js``, the forms' help ``static/staff-form.js``.

Why tables that become cards: officers at a desk compare reports in columns, a neighbourhood head
reads them on a phone. Each cell carries its column's name (``data-label``) and the stylesheet
shows a table as a list of cards on a narrow screen, so one page serves both.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.domain.statuses import STATUSES
from bot.i18n import plain

STATIC = "/staff/static"  # served by bot.http.staff (Starlette StaticFiles)
#: OpenStreetMap's tile server: images only; the pages' CSP allows this origin for img-src.
TILE_ORIGIN = "https://tile.openstreetmap.org"
TILE_URL = TILE_ORIGIN + "/{z}/{x}/{y}.png"
#: Where a "map" link opens a report's place: OpenStreetMap's own site, a link, not a resource.
MAP_SITE = "https://www.openstreetmap.org/"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def text(language: str, key: str, **params: object) -> str:
    """A ``[web]`` text, escaped for HTML."""
    return esc(plain(language, f"web.{key}", **params))


@dataclass(frozen=True)
class Header:
    """Who is signed in, shown on every page, with the sign-out form."""

    name: str
    areas: str | None  # None: an admin, every area
    csrf: str


def layout(language: str, title: str, body: str, header: Header | None = None) -> str:
    top = f"<strong>{text(language, 'title')}</strong>"
    if header is not None:
        areas = (
            text(language, "all_areas")
            if header.areas is None
            else text(language, "areas", areas=header.areas)
        )
        top += (
            f"<span>{text(language, 'signed_in_as', name=header.name)} · {areas}</span>"
            f'<nav><a href="/staff?lang={esc(language)}">{text(language, "reports")}</a>'
            '<form method="post" action="/staff/logout">'
            f'<input type="hidden" name="csrf" value="{esc(header.csrf)}">'
            f'<button type="submit">{text(language, "logout")}</button></form></nav>'
        )
    return (
        f'<!doctype html><html lang="{esc(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)}</title><link rel="stylesheet" href="{STATIC}/staff.css"></head>'
        f"<body><header>{top}</header><main>{body}</main></body></html>"
    )


def message_page(language: str, message: str, *, error: bool = True) -> str:
    """A page that says one thing (an error, or "signed out")."""
    css = "error" if error else "notice"
    title = plain(language, "web.error_title") if error else plain(language, "web.title")
    return layout(language, title, f'<p class="{css}">{esc(message)}</p>')


def select(
    name: str,
    options: Iterable[tuple[str, str]],
    chosen: str | None,
    *,
    placeholder: str | None = None,
) -> str:
    """A ``<select>``: ``options`` as (value, label) pairs. With ``placeholder``, an empty first
    choice that is selected unless ``chosen`` names another, and the field is required: the
    browser then preselects nothing the person did not pick."""
    items = [] if placeholder is None else [("", placeholder)]
    rendered = "".join(
        f'<option value="{esc(value)}"{" selected" if value == (chosen or "") else ""}>'
        f"{esc(label)}</option>"
        for value, label in [*items, *options]
    )
    required = " required" if placeholder is not None else ""
    return f'<select name="{esc(name)}"{required}>{rendered}</select>'


def link(path: str, params: dict[str, str], label: str) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return f'<a href="{esc(path + ("?" + query if query else ""))}">{esc(label)}</a>'


def table(headings: list[str], rows: list[list[str]], css: str = "cards") -> str:
    """``rows`` hold HTML already escaped by the caller (cells may be links). Each cell names
    its column (``data-label``) for the card layout on a phone; an empty heading adds none."""
    head = "".join(f"<th>{esc(heading)}</th>" for heading in headings)
    labels = [f' data-label="{esc(heading)}"' if heading else "" for heading in headings]
    body = "".join(
        "<tr>"
        + "".join(f"<td{labels[index]}>{cell}</td>" for index, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f'<table class="{esc(css)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def status_badge(language: str, status: str) -> str:
    """A status's name with its colour (the stylesheet's ``st-<status>``, the map's too)."""
    return f'<span class="badge st-{esc(status)}">{esc(plain(language, f"status.{status}"))}</span>'


def legend(language: str) -> str:
    """What each marker colour means: every status, in the lifecycle's order."""
    items = "".join(
        f'<li><i class="swatch st-{esc(status)}"></i>{esc(plain(language, f"status.{status}"))}'
        "</li>"
        for status in STATUSES
    )
    return f'<ul class="legend" aria-label="{text(language, "legend")}">{items}</ul>'


def map_block(language: str, css: str = "map", **data: str) -> str:
    """A Leaflet map. Leaflet is served by the bot itself and the map's code is
    ``staff-map.js``, which reads what to show from the ``data-*`` attributes here (the pages'
    CSP runs no inline script): ``geojson`` (the list's reports) or ``point``/``status`` (one
    report). The box holds a message that stays when the map cannot load (no JavaScript,
    Leaflet blocked, the reports or the tiles unreachable): the stylesheet shows it after a
    moment unless the script took it away, and the script shows it at once on an error."""
    attributes = "".join(f' data-{name}="{esc(value)}"' for name, value in data.items())
    return (
        f'<link rel="stylesheet" href="{STATIC}/leaflet/leaflet.css">'
        f'<div id="map" class="{esc(css)}" data-tiles="{esc(TILE_URL)}"{attributes}'
        f' data-no-tiles="{text(language, "map_no_tiles")}"'
        f' data-no-data="{text(language, "map_no_data")}">'
        f'<p class="map-message" role="status">{text(language, "map_unavailable")}</p></div>'
        f'<script src="{STATIC}/leaflet/leaflet.js"></script>'
        f'<script src="{STATIC}/staff-map.js"></script>'
    )


def map_url(lat: float, lon: float) -> str:
    """A report's place on openstreetmap.org, a pin at the point (https, for any browser)."""
    return f"{MAP_SITE}?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"
