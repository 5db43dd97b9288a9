"""GeoReport v2 answers in its two formats: XML (``.xml``) and JSON (``.json``).

Why one renderer for both: every route builds one plain structure (dicts, lists, text, numbers,
booleans, None) and names its XML shape; the two formats cannot then drift. JSON is the
structure as it is. XML follows the specification's examples: a root element (``services``,
``service_requests``…), one element per list entry (``service``, ``request``…), a list inside
an entry wrapped in its plural (``<attributes><attribute>…``, ``<values><value>…``), booleans as
``true``/``false``, None as an empty element. Written with the standard library's ElementTree
(this module only writes XML; the server reads none).

Text from people (a citizen's description, an officer's note) may hold characters XML 1.0
cannot carry at all (control characters, a lone surrogate from a JSON escape); they become
U+FFFD in both formats, so an answer is always well-formed and valid UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from starlette.responses import Response

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
MEDIA_TYPES = {"xml": XML_TYPE, "json": JSON_TYPE}
FORMATS = tuple(MEDIA_TYPES)
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

#: The element of each entry of a list, by the list's name (the XML convention of the spec).
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# XML 1.0's characters: tab, newline, carriage return, and the rest from U+0020 but surrogates
# and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Shape:
    """The XML names of an answer: ``root``, and ``item`` for each entry when it is a list."""

    root: str
    item: str | None = None


SERVICES = Shape("services", "service")
SERVICE_DEFINITION = Shape("service_definition")
SERVICE_REQUESTS = Shape("service_requests", "request")
REQUEST_UPDATES = Shape("service_request_updates", "request_update")
DISCOVERY = Shape("discovery")
ERRORS = Shape("errors", "error")


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _plain(value: Any) -> Any:
    """``value`` with every text cleaned (see the module's docstring)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _child(element, key, item)
    else:
        element.text = _scalar(value)


def _child(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, list | tuple):
        item = LIST_ITEMS.get(name, name.removesuffix("s"))
        for entry in value:
            _fill(ElementTree.SubElement(element, item), entry)
    else:
        _fill(element, value)


def to_xml(shape: Shape, data: Any) -> bytes:
    root = ElementTree.Element(shape.root)
    if isinstance(data, list | tuple):
        assert shape.item is not None, f"{shape.root} is a list: name its entries"
        for entry in data:
            _fill(ElementTree.SubElement(root, shape.item), entry)
    else:
        _fill(root, data)
    return (DECLARATION + ElementTree.tostring(root, encoding="unicode")).encode("utf-8")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(
    fmt: str,
    shape: Shape,
    data: Any,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``data`` as ``fmt`` (``xml`` or ``json``), with the specification's content type."""
    data = _plain(data)
    body = to_xml(shape, data) if fmt == "xml" else to_json(data)
    return Response(body, status_code=status, headers=headers, media_type=MEDIA_TYPES[fmt])


def errors(
    fmt: str, status: int, description: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """The specification's error body: ``[{"code", "description"}]`` or ``<errors><error>``."""
    return render(
        fmt,
        ERRORS,
        [{"code": status, "description": description}],
        status=status,
        headers=headers,
    )
