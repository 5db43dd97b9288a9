"""HTML for the staff pages, built from escaped parts: no template engine, no markup from data.

Every value that comes from a report, a person or a query string goes through :func:`esc`, so a
citizen's ``<script>`` in a description is text on an officer's screen. Texts come from the
``[web]`` section of the catalogs (plain text) and are escaped too. The HTML holds no inline
script or style (the CSP in :mod:`bot.http.staff_guard` forbids both): the look is
``static/staff.css``, the map ``static/staff-map.js``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.i18n import plain

STATIC = "/staff/static"  # served by bot.http.staff (Starlette StaticFiles)
#: OpenStreetMap's tile server: images only; the pages' CSP allows this origin for img-src.
TILE_ORIGIN = "https://tile.openstreetmap.org"
TILE_URL = TILE_ORIGIN + "/{z}/{x}/{y}.png"


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
            f'<a href="/staff?lang={esc(language)}">{text(language, "reports")}</a>'
            '<form method="post" action="/staff/logout">'
            f'<input type="hidden" name="csrf" value="{esc(header.csrf)}">'
            f'<button type="submit">{text(language, "logout")}</button></form>'
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


def select(name: str, options: Iterable[tuple[str, str]], chosen: str | None) -> str:
    """A ``<select>``: ``options`` as (value, label) pairs."""
    items = "".join(
        f'<option value="{esc(value)}"{" selected" if value == (chosen or "") else ""}>'
        f"{esc(label)}</option>"
        for value, label in options
    )
    return f'<select name="{esc(name)}">{items}</select>'


def link(path: str, params: dict[str, str], label: str) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return f'<a href="{esc(path + ("?" + query if query else ""))}">{esc(label)}</a>'


def table(headings: list[str], rows: list[list[str]]) -> str:
    """``rows`` hold HTML already escaped by the caller (cells may be links)."""
    head = "".join(f"<th>{esc(heading)}</th>" for heading in headings)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def map_block(geojson_url: str) -> str:
    """A Leaflet map of the filtered reports. Leaflet is served by the bot itself and the map's
    code is ``staff-map.js``, which reads its data from the ``data-*`` attributes here: the
    pages' CSP runs no inline script. Without a map (no tiles, no JavaScript) the list works."""
    return (
        f'<link rel="stylesheet" href="{STATIC}/leaflet/leaflet.css">'
        f'<div id="map" data-geojson="{esc(geojson_url)}" data-tiles="{esc(TILE_URL)}"></div>'
        f'<script src="{STATIC}/leaflet/leaflet.js"></script>'
        f'<script src="{STATIC}/staff-map.js"></script>'
    )
