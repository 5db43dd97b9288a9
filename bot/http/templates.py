"""HTML for the staff pages, built from escaped parts: no template engine, no markup from data.

Every value that comes from a report, a person or a query string goes through :func:`esc`, so a
citizen's ``<script>`` in a description is text on an officer's screen. Texts come from the
``[web]`` section of the catalogs (plain text) and are escaped too.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.i18n import plain

LEAFLET = "https://unpkg.com/leaflet@1.9.4/dist/leaflet"
_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#0b5394;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;
 align-items:center;flex-wrap:wrap}
header a{color:#fff}header form{margin:0}main{padding:1rem;max-width:72rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.filters{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end;margin-bottom:1rem}
.filters label{display:flex;flex-direction:column;font-size:.85rem}
.notice{background:#e7f4e4;padding:.6rem;border:1px solid #9c9}
.error{background:#fde8e8;padding:.6rem;border:1px solid #c99}
.overdue{color:#b00;font-weight:bold}#map{height:22rem;margin:1rem 0}
.photos img{max-width:16rem;max-height:16rem;margin:.3rem;border:1px solid #ccc}
"""


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
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head>"
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
    """A Leaflet map of the filtered reports, loaded from a CDN; without it the list still works
    (the script does nothing when Leaflet did not load)."""
    return (
        f'<link rel="stylesheet" href="{LEAFLET}.css">'
        '<div id="map"></div>'
        f'<script src="{LEAFLET}.js"></script>'
        "<script>"
        "if (window.L) {"
        " const map = L.map('map').setView([-6.2, 106.82], 11);"
        " L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png',"
        "  {maxZoom: 19, attribution: '&copy; OpenStreetMap'}).addTo(map);"
        f" fetch({esc_js(geojson_url)}, {{credentials: 'same-origin'}})"
        "  .then(r => r.json()).then(data => {"
        "   const layer = L.geoJSON(data, {onEachFeature: (f, l) => {"
        "    const a = document.createElement('a');"
        "    a.href = f.properties.url; a.textContent = '#' + f.properties.id"
        "     + ' ' + f.properties.status;"
        "    l.bindPopup(a); }}).addTo(map);"
        "   if (data.features.length) map.fitBounds(layer.getBounds(), {maxZoom: 16}); });"
        "}"
        "</script>"
    )


def esc_js(value: str) -> str:
    """A JavaScript string literal that cannot close the ``<script>`` it sits in."""
    inner = value.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\x3c")
    return f"'{inner}'"
